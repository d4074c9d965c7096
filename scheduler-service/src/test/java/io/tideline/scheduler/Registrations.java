package io.tideline.scheduler;

import io.tideline.core.ids.InstanceId;
import io.tideline.core.registry.InstanceRegistry;
import io.tideline.core.registry.RegisteredInstance;
import io.tideline.schemas.InstanceRegistered;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/** Test registrations with plausible connection details; only id, window and registeredAt matter here. */
public final class Registrations {

    private Registrations() {
    }

    public static InstanceRegistered of(String id, Integer windowMinute, Instant registeredAt) {
        return InstanceRegistered.newBuilder()
                .setEventId(UUID.randomUUID())
                .setInstanceId(id)
                .setOccurredAt(registeredAt)
                .setName(id)
                .setHost("127.0.0.1")
                .setPort(5432)
                .setDatabase("postgres")
                .setSuperuser("postgres")
                .setSuperuserSecretRef("instances/" + id + "/postgres")
                .setReplicationUser("tideline_replication")
                .setReplicationSecretRef("instances/" + id + "/replication")
                .setBucket("tideline-" + id)
                .setS3AccessKeyRef("instances/" + id + "/s3-access-key")
                .setS3SecretKeyRef("instances/" + id + "/s3-secret-key")
                .setPostgresVersion(15)
                .setWalSegmentSize(16L * 1024 * 1024)
                .setBackupWindowStartMinuteUtc(windowMinute)
                .setRegisteredAt(registeredAt)
                .build();
    }

    /** The registry change that registers {@code id}. */
    public static InstanceRegistry.Change registered(String id, Integer windowMinute, Instant registeredAt) {
        return new InstanceRegistry.Change(InstanceId.of(id), Optional.of(RegisteredInstance.from(of(id, windowMinute, registeredAt))));
    }

    /** The registry change of a tombstone for {@code id}. */
    public static InstanceRegistry.Change removed(String id) {
        return new InstanceRegistry.Change(InstanceId.of(id), Optional.empty());
    }
}
