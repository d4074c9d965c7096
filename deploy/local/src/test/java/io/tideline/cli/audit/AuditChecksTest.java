package io.tideline.cli.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tideline.cli.events.Event;
import io.tideline.core.kafka.Topics;
import io.tideline.schemas.BackupCommand;
import io.tideline.schemas.BackupCompleted;
import io.tideline.schemas.BackupReason;
import io.tideline.schemas.BackupStarted;
import io.tideline.schemas.RestoreAccepted;
import io.tideline.schemas.RestoreCompleted;
import io.tideline.schemas.RestoreRejected;
import io.tideline.schemas.RestoreRequested;
import io.tideline.schemas.WalSegmentStored;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

class AuditChecksTest {

    private static final Instant T0 = Instant.parse("2026-11-24T08:00:00Z");
    private final List<AuditEvent> log = new ArrayList<>();
    private long offset;

    @Test
    void aCleanHistoryHasNoFindings() {
        backup("c1", "20261124T080000Z-aaaa");
        restoreCompleted("r1", "new-1", true);
        wal("000000010000000000000001", "ab", false);
        wal("000000010000000000000001", "ab", false);
        assertEquals(List.of(), AuditChecks.check(log));
    }

    @Test
    void aBackupThatCompletedWithoutStartingIsFound() {
        add(Topics.BACKUP_COMMANDS, command("c1"));
        add(Topics.TIMELINE, completed("c1", "20261124T080000Z-aaaa", "0/2000028", "0/2000100"));
        assertOnly(AuditChecks.BACKUP_STARTED_FIRST, "completed without a BackupStarted");
    }

    @Test
    void aBackupWithoutACommandIsFound() {
        add(Topics.TIMELINE, started("ghost", "20261124T080000Z-aaaa"));
        add(Topics.TIMELINE, completed("ghost", "20261124T080000Z-aaaa", "0/2000028", "0/2000100"));
        assertOnly(AuditChecks.BACKUP_HAS_COMMAND, "ghost");
    }

    @Test
    void oneCommandWithTwoBackupsIsFound() {
        backup("c1", "20261124T080000Z-aaaa");
        add(Topics.TIMELINE, started("c1", "20261124T090000Z-bbbb"));
        add(Topics.TIMELINE, completed("c1", "20261124T090000Z-bbbb", "0/3000028", "0/3000100"));
        assertOnly(AuditChecks.ONE_BACKUP_PER_COMMAND, "two backups");
    }

    @Test
    void aBackupEndingBeforeItStartsIsFound() {
        add(Topics.BACKUP_COMMANDS, command("c1"));
        add(Topics.TIMELINE, started("c1", "20261124T080000Z-aaaa"));
        add(Topics.TIMELINE, completed("c1", "20261124T080000Z-aaaa", "0/3000028", "0/2000100"));
        assertOnly(AuditChecks.BACKUP_SANE, "not after its start");
    }

    @Test
    void aRestoreCompletedWithoutBeingAcceptedIsFound() {
        restoreCompleted("r1", "new-1", false);
        assertOnly(AuditChecks.RESTORE_ACCEPTED_FIRST, "without being accepted");
    }

    @Test
    void aRestoreThatCompletesAfterARejectionIsFound() {
        add(Topics.RESTORE_REQUESTS, RestoreRequested.newBuilder().setEventId(UUID.randomUUID()).setInstanceId("src")
                .setOccurredAt(next()).setRestoreId("r1").setTarget("latest").setNewName(null).setRequestedBy("t").build());
        add(Topics.RESTORE_EVENTS, RestoreRejected.newBuilder().setEventId(UUID.randomUUID()).setInstanceId("src")
                .setOccurredAt(next()).setRestoreId("r1").setReason("outside the window").build());
        add(Topics.RESTORE_EVENTS, accepted("r1", "new-1"));
        add(Topics.RESTORE_EVENTS, completedRestore("r1", "new-1"));
        List<Finding> findings = AuditChecks.check(log);
        assertTrue(findings.stream().anyMatch(f -> f.message().contains("completed after it was rejected")), findings.toString());
        assertTrue(findings.stream().anyMatch(f -> f.check().equals(AuditChecks.RESTORE_ONE_OUTCOME)), findings.toString());
    }

    @Test
    void aRestoreAnswerWithoutARequestIsFound() {
        add(Topics.RESTORE_EVENTS, accepted("r9", "new-9"));
        assertOnly(AuditChecks.RESTORE_ANSWERS_REQUEST, "never requested");
    }

    @Test
    void aSegmentStoredTwiceWithDifferentBytesIsFound() {
        wal("000000010000000000000001", "ab", false);
        wal("000000010000000000000001", "cd", false);
        assertOnly(AuditChecks.WAL_SAME_BYTES, "was stored with sha256 ab and later cd");
    }

    @Test
    void partialUploadsOfASegmentMayDiffer() {
        wal("000000010000000000000001", "ab", true);
        wal("000000010000000000000001", "cd", true);
        wal("000000010000000000000001", "ef", false);
        assertEquals(List.of(), AuditChecks.check(log));
    }

    @Test
    void anUndecodableRecordIsFound() {
        log.add(new AuditEvent(next(), new Event(Topics.TIMELINE, 0, offset++, "src", T0, Optional.empty(),
                Optional.of("unknown schema fingerprint"))));
        assertOnly(AuditChecks.DECODABLE, "unknown schema fingerprint");
    }

    private void assertOnly(String check, String containing) {
        List<Finding> findings = AuditChecks.check(log);
        assertEquals(1, findings.size(), findings.toString());
        assertEquals(check, findings.get(0).check());
        assertTrue(findings.get(0).message().contains(containing), findings.get(0).message());
        assertEquals("src", findings.get(0).instance());
    }

    private void backup(String commandId, String backupId) {
        add(Topics.BACKUP_COMMANDS, command(commandId));
        add(Topics.TIMELINE, started(commandId, backupId));
        add(Topics.TIMELINE, completed(commandId, backupId, "0/2000028", "0/2000100"));
    }

    private void restoreCompleted(String restoreId, String newInstance, boolean accept) {
        add(Topics.RESTORE_REQUESTS, RestoreRequested.newBuilder().setEventId(UUID.randomUUID()).setInstanceId("src")
                .setOccurredAt(next()).setRestoreId(restoreId).setTarget("latest").setNewName(null).setRequestedBy("t").build());
        if (accept) {
            add(Topics.RESTORE_EVENTS, accepted(restoreId, newInstance));
        }
        add(Topics.RESTORE_EVENTS, completedRestore(restoreId, newInstance));
    }

    private RestoreAccepted accepted(String restoreId, String newInstance) {
        return RestoreAccepted.newBuilder().setEventId(UUID.randomUUID()).setInstanceId("src").setOccurredAt(next())
                .setRestoreId(restoreId).setNewInstanceId(newInstance).setBackupId("20261124T080000Z-aaaa").setTarget("latest").build();
    }

    private RestoreCompleted completedRestore(String restoreId, String newInstance) {
        return RestoreCompleted.newBuilder().setEventId(UUID.randomUUID()).setInstanceId("src").setOccurredAt(next())
                .setRestoreId(restoreId).setNewInstanceId(newInstance).setHost("127.0.0.1").setPort(5432).setDatabase("postgres")
                .setUser("tideline_admin").setSecretRef("instances/" + newInstance + "/admin").setRecoveredTo(next())
                .setWalReplayedThroughSegment(null).build();
    }

    private void wal(String segment, String sha, boolean partial) {
        add(Topics.TIMELINE, WalSegmentStored.newBuilder().setEventId(UUID.randomUUID()).setInstanceId("src").setOccurredAt(next())
                .setTimeline(1).setSegment(segment).setStartLsn("0/1000000").setEndLsn(partial ? "0/1000100" : "0/2000000")
                .setBytes(256).setStoredBytes(100).setSha256(sha).setObjectKey("wal/00000001/" + segment + ".zst")
                .setStoredAt(next()).setPartial(partial).build());
    }

    private BackupCommand command(String commandId) {
        Instant at = next();
        return BackupCommand.newBuilder().setEventId(UUID.randomUUID()).setInstanceId("src").setOccurredAt(at)
                .setCommandId(commandId).setReason(BackupReason.ON_DEMAND).setRequestedBy("t").setRequestedAt(at).build();
    }

    private BackupStarted started(String commandId, String backupId) {
        Instant at = next();
        return BackupStarted.newBuilder().setEventId(UUID.randomUUID()).setInstanceId("src").setOccurredAt(at)
                .setBackupId(backupId).setCommandId(commandId).setTimeline(1).setStartLsn("0/2000028").setStartedAt(at).build();
    }

    private BackupCompleted completed(String commandId, String backupId, String start, String end) {
        Instant at = next();
        return BackupCompleted.newBuilder().setEventId(UUID.randomUUID()).setInstanceId("src").setOccurredAt(at)
                .setBackupId(backupId).setCommandId(commandId).setTimeline(1).setStartLsn(start).setEndLsn(end)
                .setStartedAt(at.minusSeconds(1)).setFinishedAt(at).setBytesRaw(1000).setBytesStored(100)
                .setManifestKey("basebackups/" + backupId + "/manifest.json").build();
    }

    private Instant next() {
        return T0.plusSeconds(offset + log.size());
    }

    private void add(String topic, SpecificRecord value) {
        Event record = new Event(topic, 0, offset++, "src", T0, Optional.of(value), Optional.empty());
        log.add(AuditEvent.of(record));
        log.sort(AuditEvent.CHRONOLOGICAL);
    }
}
