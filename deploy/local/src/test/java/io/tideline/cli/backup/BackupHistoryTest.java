package io.tideline.cli.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tideline.cli.events.Event;
import io.tideline.core.ids.CommandId;
import io.tideline.core.kafka.Topics;
import io.tideline.schemas.ArtifactsExpired;
import io.tideline.schemas.BackupCommand;
import io.tideline.schemas.BackupCompleted;
import io.tideline.schemas.BackupReason;
import io.tideline.schemas.BackupStarted;
import io.tideline.schemas.WalRange;
import io.tideline.schemas.WalSegmentStored;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

class BackupHistoryTest {

    private static final long SEGMENT = 16L * 1024 * 1024;
    private static final Instant T0 = Instant.parse("2026-11-24T08:00:00Z");
    private final List<Event> events = new ArrayList<>();

    @Test
    void aBackupBecomesRestorableOnceItsWalIsStoredAndTheWindowRunsToTheNewestWal() {
        backup("20261124T080000Z-aaaa", "daily:src:2026-11-24", "0/1000028", "0/1000100", 10, 20);
        assertEquals("complete, WAL to its end not stored yet", view().backups().get(0).status());
        assertTrue(view().window().isEmpty());

        wal("000000010000000000000001", true, "0/1000200", 25);
        BackupHistory.View view = view();
        assertEquals("restorable", view.backups().get(0).status());
        assertEquals("DAILY", view.backups().get(0).reason());
        assertEquals(T0.plusSeconds(20), view.from().orElseThrow(), "from the backup's consistency point");
        assertEquals(T0.plusSeconds(25), view.to().orElseThrow(), "to the newest WAL stored");

        wal("000000010000000000000001", false, "0/2000000", 40);
        wal("000000010000000000000002", true, "0/2000100", 45);
        assertEquals(T0.plusSeconds(45), view().to().orElseThrow(), "the partial of the next segment extends it");
        assertEquals("0/2000100", view().newestWal().orElseThrow().getEndLsn());
    }

    @Test
    void theWindowEndsAtTheTimeTheStoredWalCoversNotWhenTheStoreConfirmedIt() {
        backup("20261124T080000Z-aaaa", "daily:src:2026-11-24", "0/1000028", "0/1000100", 10, 20);
        // Stored at 35 s after an outage of the store, holding only what the primary had sent by 26 s.
        add(walStored("000000010000000000000001", true, "0/1000200", 35).setCoveredUntil(T0.plusSeconds(26)).build());
        assertEquals(T0.plusSeconds(26), view().to().orElseThrow(), "a restore to 30 s would miss commits of 26..30 s");
        // An event from before coverage was reported: the confirmation is all there is.
        wal("000000010000000000000001", false, "0/2000000", 50);
        assertEquals(T0.plusSeconds(50), view().to().orElseThrow());
    }

    @Test
    void backupsStartedInOneSecondAreListedByTheirStartNotTheirIdsSuffix() {
        // one id second, suffixes in the opposite order of the starts
        backupStartedAt("20261124T080000Z-zzzz", "c1", T0.plusMillis(100));
        backupStartedAt("20261124T080000Z-aaaa", "c2", T0.plusMillis(600));
        assertEquals(List.of("20261124T080000Z-aaaa", "20261124T080000Z-zzzz"),
                view().backups().stream().map(BackupHistory.Row::backupId).toList(), "newest first");
    }

    @Test
    void expiredBackupsAreShownAsSuchAndLeaveTheWindow() {
        backup("20261124T080000Z-aaaa", "c1", "0/1000028", "0/1000100", 10, 20);
        wal("000000010000000000000001", false, "0/2000000", 30);
        backup("20261124T090000Z-bbbb", "c2", "0/2000028", "0/2000100", 40, 50);
        wal("000000010000000000000002", true, "0/2000200", 55);
        add(ArtifactsExpired.newBuilder().setEventId(UUID.randomUUID()).setInstanceId("src").setOccurredAt(T0.plusSeconds(60))
                .setRetentionCutoff(T0.plusSeconds(45)).setKeptBackupId("20261124T090000Z-bbbb")
                .setExpiredBackupIds(List.of("20261124T080000Z-aaaa"))
                .setExpiredWal(List.of(new WalRange(1, "000000010000000000000001", "000000010000000000000001")))
                .setObjectsDeleted(3).setBytesFreed(100).build());
        BackupHistory.View view = view();
        assertEquals(List.of("20261124T090000Z-bbbb", "20261124T080000Z-aaaa"), view.backups().stream().map(BackupHistory.Row::backupId).toList());
        assertEquals("expired", view.backups().get(1).status());
        assertEquals(T0.plusSeconds(50), view.from().orElseThrow());
    }

    private BackupHistory.View view() {
        return BackupHistory.of("src", events, SEGMENT);
    }

    private void backup(String id, String command, String start, String end, int startedAt, int finishedAt) {
        add(BackupCommand.newBuilder().setEventId(UUID.randomUUID()).setInstanceId("src").setOccurredAt(T0)
                .setCommandId(command).setReason(CommandId.Daily.tryParse(command).isPresent() ? BackupReason.DAILY : BackupReason.ON_DEMAND)
                .setRequestedBy("t").setRequestedAt(T0).build());
        add(BackupStarted.newBuilder().setEventId(UUID.randomUUID()).setInstanceId("src").setOccurredAt(T0.plusSeconds(startedAt))
                .setBackupId(id).setCommandId(command).setTimeline(1).setStartLsn(start).setStartedAt(T0.plusSeconds(startedAt)).build());
        add(BackupCompleted.newBuilder().setEventId(UUID.randomUUID()).setInstanceId("src").setOccurredAt(T0.plusSeconds(finishedAt))
                .setBackupId(id).setCommandId(command).setTimeline(1).setStartLsn(start).setEndLsn(end)
                .setStartedAt(T0.plusSeconds(startedAt)).setFinishedAt(T0.plusSeconds(finishedAt)).setBytesRaw(1000)
                .setBytesStored(100).setManifestKey("basebackups/" + id + "/manifest.json").build());
    }

    private void backupStartedAt(String id, String command, Instant startedAt) {
        add(BackupStarted.newBuilder().setEventId(UUID.randomUUID()).setInstanceId("src").setOccurredAt(startedAt)
                .setBackupId(id).setCommandId(command).setTimeline(1).setStartLsn("0/1000028").setStartedAt(startedAt).build());
    }

    private void wal(String segment, boolean partial, String end, int storedAt) {
        add(walStored(segment, partial, end, storedAt).build());
    }

    private static WalSegmentStored.Builder walStored(String segment, boolean partial, String end, int storedAt) {
        return WalSegmentStored.newBuilder().setEventId(UUID.randomUUID()).setInstanceId("src").setOccurredAt(T0.plusSeconds(storedAt))
                .setTimeline(1).setSegment(segment).setStartLsn("0/0").setEndLsn(end).setBytes(1).setStoredBytes(1)
                .setSha256("ab").setObjectKey("wal/00000001/" + segment + (partial ? ".partial.zst" : ".zst"))
                .setStoredAt(T0.plusSeconds(storedAt)).setPartial(partial);
    }

    private void add(SpecificRecord value) {
        events.add(new Event(Topics.TIMELINE, 0, events.size(), "src", T0, Optional.of(value), Optional.empty()));
    }
}
