package io.tideline.scheduler;

import io.tideline.schemas.InstanceRegistered;
import java.time.Instant;
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
}
