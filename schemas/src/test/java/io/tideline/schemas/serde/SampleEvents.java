package io.tideline.schemas.serde;

import io.tideline.schemas.ArtifactsExpired;
import io.tideline.schemas.BackupCommand;
import io.tideline.schemas.BackupCompleted;
import io.tideline.schemas.BackupFailed;
import io.tideline.schemas.BackupPhase;
import io.tideline.schemas.BackupProgress;
import io.tideline.schemas.BackupReason;
import io.tideline.schemas.BackupStarted;
import io.tideline.schemas.DeadLetter;
import io.tideline.schemas.InstanceRegistered;
import io.tideline.schemas.RestoreAccepted;
import io.tideline.schemas.RestoreCompleted;
import io.tideline.schemas.RestoreFailed;
import io.tideline.schemas.RestoreOrigin;
import io.tideline.schemas.RestorePhase;
import io.tideline.schemas.RestoreProgress;
import io.tideline.schemas.RestoreRejected;
import io.tideline.schemas.RestoreRequested;
import io.tideline.schemas.WalGapDetected;
import io.tideline.schemas.WalRange;
import io.tideline.schemas.WalSegmentStored;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;

/** One realistic, fully populated record of every event type. */
final class SampleEvents {

    static final Instant T0 = Instant.parse("2026-11-05T10:15:30.123Z");

    static List<SpecificRecord> all() {
        return List.of(instanceRegistered(), backupCommand(), backupStarted(), backupCompleted(), backupFailed(),
                backupProgress(), walSegmentStored(), walGapDetected(), artifactsExpired(), restoreRequested(), restoreAccepted(),
                restoreRejected(), restoreProgress(), restoreCompleted(), restoreFailed(), deadLetter());
    }

    static InstanceRegistered instanceRegistered() {
        return InstanceRegistered.newBuilder()
                .setEventId(UUID.fromString("0b6f3f5e-4a52-4d5a-9f0e-1c1d3c4b5a69"))
                .setInstanceId("pg-1").setOccurredAt(T0)
                .setName("orders").setHost("127.0.0.1").setPort(54321).setDatabase("postgres")
                .setSuperuser("postgres").setSuperuserSecretRef("instances/pg-1/postgres")
                .setReplicationUser("tideline_replication").setReplicationSecretRef("instances/pg-1/replication")
                .setBucket("tideline-pg-1").setS3AccessKeyRef("instances/pg-1/s3-access-key")
                .setS3SecretKeyRef("instances/pg-1/s3-secret-key")
                .setPostgresVersion(15).setWalSegmentSize(16L * 1024 * 1024)
                .setBackupWindowStartMinuteUtc(120).setRetentionDays(null)
                .setRestoredFrom(RestoreOrigin.newBuilder().setSourceInstanceId("pg-0").setRestoreId("r-1").build())
                .setRegisteredAt(T0.minusSeconds(3600))
                .build();
    }

    static BackupCommand backupCommand() {
        return BackupCommand.newBuilder().setEventId(UUID.randomUUID()).setInstanceId("pg-1").setOccurredAt(T0)
                .setCommandId("daily:pg-1:2026-11-05").setReason(BackupReason.DAILY).setRequestedBy("scheduler")
                .setRequestedAt(T0).build();
    }

    static BackupStarted backupStarted() {
        return BackupStarted.newBuilder().setEventId(UUID.randomUUID()).setInstanceId("pg-1").setOccurredAt(T0)
                .setBackupId("20261105T101530Z").setCommandId("daily:pg-1:2026-11-05").setTimeline(1)
                .setStartLsn("0/3000028").setStartedAt(T0).build();
    }

    static BackupCompleted backupCompleted() {
        return BackupCompleted.newBuilder().setEventId(UUID.randomUUID()).setInstanceId("pg-1").setOccurredAt(T0)
                .setBackupId("20261105T101530Z").setCommandId("daily:pg-1:2026-11-05").setTimeline(1)
                .setStartLsn("0/3000028").setEndLsn("0/3000138").setStartedAt(T0).setFinishedAt(T0.plusSeconds(42))
                .setBytesRaw(40_000_000L).setBytesStored(6_500_000L)
                .setManifestKey("basebackups/20261105T101530Z/manifest.json").build();
    }

    static BackupFailed backupFailed() {
        return BackupFailed.newBuilder().setEventId(UUID.randomUUID()).setInstanceId("pg-1").setOccurredAt(T0)
                .setBackupId("20261105T101530Z").setCommandId("daily:pg-1:2026-11-05").setStartedAt(null)
                .setReason("pg_basebackup exited 1: connection refused").build();
    }

    static BackupProgress backupProgress() {
        return BackupProgress.newBuilder().setEventId(UUID.randomUUID()).setInstanceId("pg-1").setOccurredAt(T0)
                .setBackupId("20261105T101530Z-3f9a").setCommandId("daily:pg-1:2026-11-05")
                .setPhase(BackupPhase.STREAMING).setBytesDone(12_000_000L).setBytesTotal(40_000_000L)
                .setBytesStored(1_900_000L).setMessage(null).build();
    }

    static WalSegmentStored walSegmentStored() {
        return WalSegmentStored.newBuilder().setEventId(UUID.randomUUID()).setInstanceId("pg-1").setOccurredAt(T0)
                .setTimeline(1).setSegment("000000010000000000000003").setStartLsn("0/3000000").setEndLsn("0/4000000")
                .setBytes(16L * 1024 * 1024).setStoredBytes(1_234_567L)
                .setSha256("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08")
                .setObjectKey("wal/00000001/000000010000000000000003.zst").setStoredAt(T0).setPartial(false).build();
    }

    static WalGapDetected walGapDetected() {
        return WalGapDetected.newBuilder().setEventId(UUID.randomUUID()).setInstanceId("pg-1").setOccurredAt(T0)
                .setTimeline(1).setMissingFromLsn("0/5000000").setMissingToLsn(null)
                .setReason("requested WAL segment 000000010000000000000005 has already been removed").build();
    }

    static ArtifactsExpired artifactsExpired() {
        return ArtifactsExpired.newBuilder().setEventId(UUID.randomUUID()).setInstanceId("pg-1").setOccurredAt(T0)
                .setRetentionCutoff(T0.minusSeconds(7 * 86_400)).setKeptBackupId("20261029T020000Z")
                .setExpiredBackupIds(List.of("20261027T020000Z", "20261028T020000Z"))
                .setExpiredWal(List.of(WalRange.newBuilder().setTimeline(1)
                        .setFromSegment("000000010000000000000001").setToSegment("000000010000000000000042").build()))
                .setObjectsDeleted(70).setBytesFreed(123_456_789L).build();
    }

    static RestoreRequested restoreRequested() {
        return RestoreRequested.newBuilder().setEventId(UUID.randomUUID()).setInstanceId("pg-1").setOccurredAt(T0)
                .setRestoreId("r-7").setTarget("2026-11-05T09:00:00Z").setNewName(null).setRequestedBy("alice").build();
    }

    static RestoreAccepted restoreAccepted() {
        return RestoreAccepted.newBuilder().setEventId(UUID.randomUUID()).setInstanceId("pg-1").setOccurredAt(T0)
                .setRestoreId("r-7").setNewInstanceId("pg-2").setBackupId("20261105T020000Z")
                .setTarget("2026-11-05T09:00:00Z").build();
    }

    static RestoreRejected restoreRejected() {
        return RestoreRejected.newBuilder().setEventId(UUID.randomUUID()).setInstanceId("pg-1").setOccurredAt(T0)
                .setRestoreId("r-8").setReason("target 'yesterday' is not 'latest' nor an ISO-8601 UTC instant").build();
    }

    static RestoreProgress restoreProgress() {
        return RestoreProgress.newBuilder().setEventId(UUID.randomUUID()).setInstanceId("pg-1").setOccurredAt(T0)
                .setRestoreId("r-7").setPhase(RestorePhase.REPLAYING_WAL).setBytesDone(1_000L).setBytesTotal(null)
                .setWalSegmentsReplayed(12).setMessage("replaying 00000001000000000000000F").build();
    }

    static RestoreCompleted restoreCompleted() {
        return RestoreCompleted.newBuilder().setEventId(UUID.randomUUID()).setInstanceId("pg-1").setOccurredAt(T0)
                .setRestoreId("r-7").setNewInstanceId("pg-2").setHost("127.0.0.1").setPort(54400)
                .setDatabase("postgres").setUser("postgres").setSecretRef("instances/pg-2/postgres")
                .setRecoveredTo(Instant.parse("2026-11-05T09:00:00Z"))
                .setWalReplayedThroughSegment("000000010000000000000010").build();
    }

    static RestoreFailed restoreFailed() {
        return RestoreFailed.newBuilder().setEventId(UUID.randomUUID()).setInstanceId("pg-1").setOccurredAt(T0)
                .setRestoreId("r-7").setReason("recovery ended before the target").setNewInstanceId("pg-2").build();
    }

    static DeadLetter deadLetter() {
        return DeadLetter.newBuilder().setEventId(UUID.randomUUID()).setInstanceId("pg-1").setOccurredAt(T0)
                .setTopic("tideline.timeline").setPartition(2).setOffset(41L).setKey("pg-1")
                .setValue(ByteBuffer.wrap("garbage".getBytes(StandardCharsets.UTF_8)))
                .setError("not an Avro single-object encoded record").setErrorClass("org.apache.kafka.common.errors.SerializationException")
                .setConsumerGroup("retention-service").setAttempts(1).build();
    }

    private SampleEvents() {
    }
}
