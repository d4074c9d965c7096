package io.tideline.restore.host;

import io.micronaut.serde.annotation.Serdeable;
import io.tideline.core.ids.BackupId;
import io.tideline.core.ids.InstanceId;
import io.tideline.core.ids.RestoreId;
import io.tideline.core.instance.InstanceCredentials;
import io.tideline.core.restore.RestoreTarget;
import io.tideline.core.secrets.SecretRef;
import io.tideline.core.storage.BucketLayout;
import io.tideline.core.storage.ReadOnlyGrant;
import io.tideline.core.wal.Lsn;
import io.tideline.core.wal.WalSegmentName;
import io.tideline.restore.HostRecovery;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The coordinator asks a restore agent to do a restore's host work ({@code POST /agent/restores}). Carries
 * secret REFERENCES only: the read-only identity minted for this restore on the source bucket, and the new
 * instance's role references; the agent reads the values from the secret store.
 */
@Serdeable
public record HostRestoreRequest(String restoreId, String sourceInstanceId, String newInstanceId, String readAccessKeyRef,
                                 String readSecretKeyRef, String readGrantExpiresAt, String backupId, long walSegmentSize,
                                 List<String> requiredWal, String target, boolean exclusive, String walReachedLsn,
                                 String adminUser, String adminSecretRef, String replicationUser, String replicationSecretRef,
                                 long promotionTimeoutSeconds) {

    public static HostRestoreRequest of(HostRecovery.Plan plan, InstanceId source, ReadOnlyGrant grant) {
        InstanceCredentials c = plan.credentials();
        return new HostRestoreRequest(plan.restoreId().value(), source.value(), plan.newInstance().value(),
                grant.accessKeyRef().value(), grant.secretKeyRef().value(), grant.expiresAt().toString(),
                plan.backupId().value(), plan.layout().walSegmentSize(),
                plan.requiredWal().stream().map(WalSegmentName::toString).sorted().toList(),
                plan.target().asEventText(), plan.target().exclusive(), plan.walReachedLsn().toString(),
                c.adminUser(), c.adminSecret().value(), c.replicationUser(), c.replicationSecret().value(),
                plan.promotionTimeout().toSeconds());
    }

    /** The host's plan; an {@link IllegalArgumentException} names what is malformed. */
    public HostRecovery.Plan plan() {
        BucketLayout layout = BucketLayout.forSegmentSize(walSegmentSize);
        return new HostRecovery.Plan(RestoreId.of(restoreId), InstanceId.of(newInstanceId),
                new InstanceCredentials(adminUser, SecretRef.of(adminSecretRef), replicationUser, SecretRef.of(replicationSecretRef)),
                layout, BackupId.parse(backupId),
                requiredWal.stream().map(n -> WalSegmentName.parse(n, walSegmentSize)).collect(Collectors.toSet()),
                RestoreTarget.parse(target, exclusive), Lsn.parse(walReachedLsn), Duration.ofSeconds(promotionTimeoutSeconds));
    }

    /** The read-only grant on the source bucket this restore reads with. */
    public ReadOnlyGrant readGrant() {
        InstanceId source = InstanceId.of(sourceInstanceId);
        return new ReadOnlyGrant(source, RestoreId.of(restoreId), BucketLayout.bucketName(source), SecretRef.of(readAccessKeyRef),
                SecretRef.of(readSecretKeyRef), Instant.parse(readGrantExpiresAt));
    }
}
