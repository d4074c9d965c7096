package io.tideline.cli.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tideline.cli.events.Event;
import io.tideline.core.ids.InstanceId;
import io.tideline.core.kafka.Topics;
import io.tideline.core.registry.DrillPolicy;
import io.tideline.core.registry.RegisteredInstance;
import io.tideline.core.secrets.SecretRef;
import io.tideline.schemas.BackupCompleted;
import io.tideline.schemas.RestoreCompleted;
import io.tideline.schemas.WalSegmentStored;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

/** The "restore of the newest point" line of {@code tideline backups} (issue 18.6). */
class NewestPointEstimateTest {

    private static final Instant T0 = Instant.parse("2026-12-08T10:00:00Z");
    private final RegisteredInstance pg = new RegisteredInstance(InstanceId.of("pg-1"), "orders", "127.0.0.1", 5432, "postgres",
            "tideline_admin", SecretRef.of("instances/pg-1/admin"), "tideline_replicator", SecretRef.of("instances/pg-1/replicator"),
            "tideline-pg-1", SecretRef.of("instances/pg-1/s3-access-key"), SecretRef.of("instances/pg-1/s3-secret-key"), 15, 16L << 20,
            Optional.empty(), Optional.empty(), Optional.empty(), T0, DrillPolicy.DEFAULT);

    @Test
    void walSinceTheNewestBackupAtTheDefaultRateBesideTheBudget() {
        List<Event> timeline = List.of(backup("b-old", "0/1000028"), backup("b-new", "1/28"), wal("1/3C000028"), wal("1/1000000"));
        NewestPointEstimate estimate = NewestPointEstimate.of(pg.withRtoBudget(Optional.of(Duration.ofMinutes(15))), timeline, List.of());
        // 0x3C000000 bytes = 960 MiB at 16 MiB/s = 60 s
        assertEquals("Restore of the newest point: about 1 min of WAL replay (960.0 MiB since backup b-new at 16.0 MiB/s"
                + " (default: no replay measured yet)); RTO budget 15 min.", estimate.line().orElseThrow());

        NewestPointEstimate over = NewestPointEstimate.of(pg.withRtoBudget(Optional.of(Duration.ofSeconds(30))), timeline,
                List.of(new Event(Topics.RESTORE_EVENTS, 0, 0, "pg-1", T0, Optional.of(measured()), Optional.empty())));
        assertTrue(over.line().orElseThrow().contains("about 2 min of WAL replay (960.0 MiB since backup b-new at 8.0 MiB/s"
                + " (slowest of 1 measured replay)); RTO budget 30 s (over it: the scheduler asks for a base backup)."),
                over.line().orElseThrow());
        assertEquals(120L, over.json().get("newestPointReplaySeconds"));
    }

    @Test
    void nothingWithoutABackup() {
        assertTrue(NewestPointEstimate.of(pg, List.of(wal("1/0")), List.of()).line().isEmpty());
    }

    private static RestoreCompleted measured() {
        return RestoreCompleted.newBuilder().setEventId(UUID.randomUUID()).setInstanceId("pg-1").setOccurredAt(T0)
                .setRestoreId("r").setNewInstanceId("copy").setHost("h").setPort(1).setDatabase("d").setUser("u").setSecretRef("s")
                .setRecoveredTo(T0).setWalBytesReplayed(800L << 20).setWalReplayMillis(100_000L).build(); // 8 MiB/s
    }

    private static Event backup(String id, String startLsn) {
        return event(BackupCompleted.newBuilder().setEventId(UUID.randomUUID()).setInstanceId("pg-1").setOccurredAt(T0)
                .setBackupId(id).setCommandId("daily:pg-1:2026-12-08").setTimeline(1).setStartLsn(startLsn).setEndLsn(startLsn)
                .setStartedAt(T0).setFinishedAt(T0).setBytesRaw(1).setBytesStored(1).setManifestKey("m").build());
    }

    private static Event wal(String endLsn) {
        return event(WalSegmentStored.newBuilder().setEventId(UUID.randomUUID()).setInstanceId("pg-1").setOccurredAt(T0)
                .setTimeline(1).setSegment("000000010000000100000000").setStartLsn("1/0").setEndLsn(endLsn).setBytes(1)
                .setStoredBytes(1).setSha256("00").setObjectKey("wal/x").setStoredAt(T0).setPartial(true).build());
    }

    private static Event event(SpecificRecord v) {
        return new Event(Topics.TIMELINE, 0, 0, "pg-1", T0, Optional.of(v), Optional.empty());
    }
}
