package io.tideline.scheduler.rto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tideline.core.ids.CommandId;
import io.tideline.core.ids.InstanceId;
import io.tideline.core.registry.RegisteredInstance;
import io.tideline.core.rto.ReplayRates;
import io.tideline.core.wal.Lsn;
import io.tideline.scheduler.Registrations;
import io.tideline.schemas.BackupCommand;
import io.tideline.schemas.BackupCompleted;
import io.tideline.schemas.BackupFailed;
import io.tideline.schemas.BackupReason;
import io.tideline.schemas.BackupStarted;
import io.tideline.schemas.RestoreCompleted;
import io.tideline.schemas.WalSegmentStored;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The RTO budget's decision on in-memory events (issue 18.6): when the WAL since the newest backup replays longer
 * than the budget at the rate restores measured (or the default), one backup is asked for, saying why; never a
 * second while one is in flight, never sooner than the minimum interval, never without a budget.
 */
class RtoBudgetPolicyTest {

    private static final long MIB = 1024 * 1024;
    private static final Instant T0 = Instant.parse("2026-12-08T10:00:00Z");
    private static final InstanceId PG = InstanceId.of("pg-1");
    private static final Lsn BACKUP_START = Lsn.parse("0/2000028");

    private final BackupActivity activity = new BackupActivity();
    private final ReplayRates rates = new ReplayRates(16 * MIB, 64 * MIB);
    private final List<BackupCommand> sent = new ArrayList<>();
    private Optional<Duration> budget = Optional.of(Duration.ofMinutes(15));


    @Test
    void walThatReplaysLongerThanTheBudgetAsksForOneBackupAndSaysWhy() {
        backupCompleted("daily:pg-1:2026-12-08", BACKUP_START);
        walStoredThrough(BACKUP_START.plus(21 * 60 * 16 * MIB)); // 21 min at the default 16 MiB/s

        List<BackupCommand> commands = tickAt(T0);

        assertEquals(1, commands.size(), commands.toString());
        BackupCommand c = commands.get(0);
        assertEquals(BackupReason.RTO_BUDGET, c.getReason());
        assertEquals("rto-budget: 21 min of WAL to replay > 15 min", c.getRequestedBy());
        assertEquals(CommandId.rtoBudget(PG, 1, BACKUP_START, 1).value(), c.getCommandId());
        assertEquals(PG.value(), c.getInstanceId());
    }

    @Test
    void withinTheBudgetOrWithoutOneNothingIsAsked() {
        backupCompleted("daily:pg-1:2026-12-08", BACKUP_START);
        walStoredThrough(BACKUP_START.plus(15 * 60 * 16 * MIB)); // exactly 15 min: not more than the budget
        assertEquals(List.of(), tickAt(T0));

        walStoredThrough(BACKUP_START.plus(16 * 60 * 16 * MIB));
        budget = Optional.empty();
        assertEquals(List.of(), tickAt(T0), "no budget, no RTO backup");
    }

    @Test
    void noBackupYetMeansNothingToMeasureFrom() {
        walStoredThrough(BACKUP_START.plus(100 * 60 * 16 * MIB));
        assertEquals(List.of(), tickAt(T0));
    }

    @Test
    void atMostOneInFlightThenNotBeforeTheMinimumInterval() {
        backupCompleted("daily:pg-1:2026-12-08", BACKUP_START);
        walStoredThrough(BACKUP_START.plus(30 * 60 * 16 * MIB));
        BackupCommand first = tickAt(T0).get(0);
        assertEquals(List.of(), tickAt(T0.plusSeconds(30)), "its backup has not ended: in flight");

        // the archiver runs it and fails; the WAL is still too long, but the last command was only 10 min ago
        activity.apply(BackupStarted.newBuilder().setEventId(UUID.randomUUID()).setInstanceId(PG.value()).setOccurredAt(T0)
                .setBackupId("b2").setCommandId(first.getCommandId()).setTimeline(1).setStartLsn("0/90000028").setStartedAt(T0).build());
        activity.apply(BackupFailed.newBuilder().setEventId(UUID.randomUUID()).setInstanceId(PG.value()).setOccurredAt(T0)
                .setBackupId("b2").setCommandId(first.getCommandId()).setStartedAt(T0).setReason("disk full").build());
        assertEquals(List.of(), tickAt(T0.plus(Duration.ofMinutes(10))), "not before the minimum interval");

        List<BackupCommand> retry = tickAt(T0.plus(Duration.ofMinutes(61)));
        assertEquals(1, retry.size());
        assertEquals(CommandId.rtoBudget(PG, 1, BACKUP_START, 2).value(), retry.get(0).getCommandId(),
                "a second attempt against the same backup has its own id (the archiver would skip the first's)");
    }

    @Test
    void aRunningBackupOfAnyKindCountsAsInFlight() {
        backupCompleted("daily:pg-1:2026-12-07", BACKUP_START);
        walStoredThrough(BACKUP_START.plus(30 * 60 * 16 * MIB));
        activity.apply(BackupStarted.newBuilder().setEventId(UUID.randomUUID()).setInstanceId(PG.value()).setOccurredAt(T0)
                .setBackupId("b2").setCommandId("daily:pg-1:2026-12-08").setTimeline(1).setStartLsn("1/0").setStartedAt(T0).build());
        assertEquals(List.of(), tickAt(T0.plusSeconds(60)), "the daily backup under way shortens the replay anyway");
        assertEquals(1, tickAt(T0.plus(Duration.ofHours(7))).size(), "a start without an end stops counting after the in-flight timeout");
    }

    @Test
    void aNewerBackupResetsTheWalToReplay() {
        backupCompleted("daily:pg-1:2026-12-07", BACKUP_START);
        walStoredThrough(BACKUP_START.plus(30 * 60 * 16 * MIB));
        Lsn newer = BACKUP_START.plus(29 * 60 * 16 * MIB);
        backupCompleted("daily:pg-1:2026-12-08", newer);
        assertEquals(List.of(), tickAt(T0), "one minute of WAL since the newest backup");
    }

    @Test
    void theMeasuredRateReplacesTheDefaultAndTheSlowestRecentOneCounts() {
        backupCompleted("daily:pg-1:2026-12-08", BACKUP_START);
        walStoredThrough(BACKUP_START.plus(10 * 60 * 16 * MIB)); // 10 min at the default: inside 15 min
        assertEquals(List.of(), tickAt(T0));

        restoreMeasured(256 * MIB, 64_000); // 4 MiB/s
        restoreMeasured(512 * MIB, 8_000);  // 64 MiB/s: faster, but the slowest recent one is planned with
        restoreMeasured(32 * MIB, 60_000);  // too little WAL to be a measurement
        List<BackupCommand> commands = tickAt(T0);
        assertEquals(1, commands.size());
        assertEquals("rto-budget: 40 min of WAL to replay > 15 min", commands.get(0).getRequestedBy());
    }

    @Test
    void aCommandReadBackAfterItsBackupEndedIsNotInFlight() {
        backupCompleted("daily:pg-1:2026-12-08", BACKUP_START);
        String id = CommandId.rtoBudget(PG, 1, BACKUP_START, 1).value();
        // another replica's command, whose completion the timeline reader saw first
        activity.apply(BackupCompleted.newBuilder().setEventId(UUID.randomUUID()).setInstanceId(PG.value()).setOccurredAt(T0)
                .setBackupId("b2").setCommandId(id).setTimeline(1).setStartLsn("1/28").setEndLsn("1/1000000")
                .setStartedAt(T0).setFinishedAt(T0).setBytesRaw(1).setBytesStored(1).setManifestKey("m").build());
        activity.commandSent(BackupCommand.newBuilder().setEventId(UUID.randomUUID()).setInstanceId(PG.value()).setOccurredAt(T0)
                .setCommandId(id).setReason(BackupReason.RTO_BUDGET).setRequestedBy("rto-budget: x").setRequestedAt(T0).build());
        assertTrue(!activity.facts(PG, T0.plus(Duration.ofHours(2)), Duration.ofHours(6)).inFlight());
    }

    @Test
    void reasonWords() {
        assertEquals("45 s", RtoBudgetPolicy.words(Duration.ofSeconds(45)));
        assertEquals("15 min 20 s", RtoBudgetPolicy.words(Duration.ofSeconds(920)));
        assertEquals("2 h 5 min", RtoBudgetPolicy.words(Duration.ofMinutes(125)));
        assertEquals("0 s", RtoBudgetPolicy.words(Duration.ZERO));
    }

    private List<BackupCommand> tickAt(Instant now) {
        sent.clear();
        RtoBudgetEmitter e = new RtoBudgetEmitter(
                () -> List.of(RegisteredInstance.from(Registrations.of(PG.value(), null, T0.minusSeconds(86_400))).withRtoBudget(budget)),
                activity, rates, new RtoBudgetConfiguration(true, Duration.ofHours(1), 16 * MIB, 64 * MIB, Duration.ofHours(6)),
                () -> true, sent::add, java.time.Clock.fixed(now, java.time.ZoneOffset.UTC));
        return e.tick();
    }

    private void backupCompleted(String commandId, Lsn start) {
        activity.apply(BackupCompleted.newBuilder().setEventId(UUID.randomUUID()).setInstanceId(PG.value()).setOccurredAt(T0)
                .setBackupId("b-" + start).setCommandId(commandId).setTimeline(1).setStartLsn(start.toString())
                .setEndLsn(start.plus(16 * MIB).toString()).setStartedAt(T0.minusSeconds(60)).setFinishedAt(T0.minusSeconds(30))
                .setBytesRaw(1).setBytesStored(1).setManifestKey("m").build());
    }

    private void walStoredThrough(Lsn end) {
        activity.apply(WalSegmentStored.newBuilder().setEventId(UUID.randomUUID()).setInstanceId(PG.value()).setOccurredAt(T0)
                .setTimeline(1).setSegment("000000010000000000000002").setStartLsn("0/2000000").setEndLsn(end.toString())
                .setBytes(1).setStoredBytes(1).setSha256("00").setObjectKey("wal/x").setStoredAt(T0).setPartial(true).build());
    }

    private void restoreMeasured(long bytes, long millis) {
        rates.record(RestoreCompleted.newBuilder().setEventId(UUID.randomUUID()).setInstanceId(PG.value()).setOccurredAt(T0)
                .setRestoreId(UUID.randomUUID().toString()).setNewInstanceId("copy").setHost("h").setPort(1).setDatabase("d")
                .setUser("u").setSecretRef("s").setRecoveredTo(T0).setWalBytesReplayed(bytes).setWalReplayMillis(millis).build());
    }
}
