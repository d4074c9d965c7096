package io.tideline.restore.view;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tideline.core.ids.InstanceId;
import io.tideline.schemas.BackupFailed;
import io.tideline.schemas.RestoreAccepted;
import io.tideline.schemas.RestoreFailed;
import io.tideline.schemas.RestorePhase;
import io.tideline.schemas.RestoreProgress;
import io.tideline.schemas.RestoreRequested;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ViewEventsTest {

    private static final Instant T0 = Instant.parse("2026-11-24T08:00:00Z");
    private final ViewEvents events = new ViewEvents();

    @Test
    void aRestoreGoesFromRequestedToItsEndAndStaysThere() {
        RestoreRequested request = RestoreRequested.newBuilder().setEventId(UUID.randomUUID()).setInstanceId("pg-1")
                .setOccurredAt(T0).setRestoreId("r1").setTarget("latest").setNewName("copy").setRequestedBy("backups-view").build();
        events.requested(request);
        events.apply(request); // read back from the topic: nothing changes
        assertEquals(RestoreStatus.REQUESTED, events.restore("r1").orElseThrow().state());
        assertEquals(1, events.restore("r1").orElseThrow().history().size());

        RestoreAccepted accepted = RestoreAccepted.newBuilder().setEventId(UUID.randomUUID()).setInstanceId("pg-1")
                .setOccurredAt(T0.plusSeconds(1)).setRestoreId("r1").setNewInstanceId("copy-1")
                .setBackupId("20261124T020000Z-abcd").setTarget("2026-11-24T07:59:59Z").build();
        events.apply(accepted);
        events.apply(accepted);
        RestoreStatus s = events.restore("r1").orElseThrow();
        assertEquals(RestoreStatus.ACCEPTED, s.state());
        assertEquals("copy-1", s.newInstanceId());
        assertEquals("2026-11-24T07:59:59Z", s.target(), "the resolved target replaces 'latest'");
        assertEquals(2, s.history().size(), "a redelivered event is one step");

        events.apply(RestoreProgress.newBuilder().setEventId(UUID.randomUUID()).setInstanceId("pg-1").setOccurredAt(T0.plusSeconds(2))
                .setRestoreId("r1").setPhase(RestorePhase.RESTORING_BACKUP).setBytesDone(10).setBytesTotal(40L)
                .setWalSegmentsReplayed(0).setMessage(null).build());
        assertEquals(RestoreStatus.IN_PROGRESS, events.restore("r1").orElseThrow().state());
        assertEquals("RESTORING_BACKUP", events.restore("r1").orElseThrow().phase());

        events.apply(RestoreFailed.newBuilder().setEventId(UUID.randomUUID()).setInstanceId("pg-1").setOccurredAt(T0.plusSeconds(3))
                .setRestoreId("r1").setReason("no space left").setNewInstanceId(null).build());
        events.apply(RestoreProgress.newBuilder().setEventId(UUID.randomUUID()).setInstanceId("pg-1").setOccurredAt(T0.plusSeconds(4))
                .setRestoreId("r1").setPhase(RestorePhase.PROMOTING).setBytesDone(40).setBytesTotal(40L)
                .setWalSegmentsReplayed(1).setMessage(null).build());
        s = events.restore("r1").orElseThrow();
        assertEquals(RestoreStatus.FAILED, s.state(), "a final state is never left");
        assertEquals("no space left", s.reason());
        assertEquals("copy-1", s.newInstanceId());
        assertEquals(4, s.history().size());
        assertEquals(1, events.restoresOf(InstanceId.of("pg-1")).size());
        assertTrue(events.restoresOf(InstanceId.of("pg-2")).isEmpty());
    }

    /** Issue 18.6: while WAL replays, the status leads with how far in time, in the view's one precision. */
    @Test
    void replayProgressSaysHowFarInTime() {
        RestoreProgress p = RestoreProgress.newBuilder().setEventId(UUID.randomUUID()).setInstanceId("pg-1").setOccurredAt(T0)
                .setRestoreId("r3").setPhase(RestorePhase.REPLAYING_WAL).setBytesDone(10).setBytesTotal(null)
                .setWalSegmentsReplayed(3).setMessage("replaying WAL, fetched through 000000010000000000000005")
                .setReplayedTo(java.time.Instant.parse("2026-11-24T10:02:31.250Z"))
                .setReplayTarget(java.time.Instant.parse("2026-11-24T10:15:30Z")).build();
        events.apply(p);
        assertEquals("replayed to 2026-11-24T10:02:31.250000Z of 2026-11-24T10:15:30.000000Z; replaying WAL, fetched through "
                + "000000010000000000000005", events.restore("r3").orElseThrow().message());
        assertEquals("replaying WAL, fetched through 000000010000000000000005",
                ViewEvents.withReplayTime(RestoreProgress.newBuilder(p).setReplayedTo(null).build()), "no time yet: the message alone");
    }

    /** Issue 16: progress repeats its phase every few seconds; the history had a line for each report. */
    @Test
    void repeatedProgressOfOnePhaseIsOneHistoryLineInWords() {
        events.apply(RestoreRequested.newBuilder().setEventId(UUID.randomUUID()).setInstanceId("pg-1").setOccurredAt(T0)
                .setRestoreId("r2").setTarget("latest").setNewName(null).setRequestedBy("backups-view").build());
        for (int i = 1; i <= 3; i++) {
            events.apply(RestoreProgress.newBuilder().setEventId(UUID.randomUUID()).setInstanceId("pg-1").setOccurredAt(T0.plusSeconds(i))
                    .setRestoreId("r2").setPhase(RestorePhase.REPLAYING_WAL).setBytesDone(10L * i).setBytesTotal(40L)
                    .setWalSegmentsReplayed(i).setMessage("replaying WAL").build());
        }
        RestoreStatus s = events.restore("r2").orElseThrow();
        assertEquals(2, s.history().size(), "requested, then one line for the phase: " + s.history());
        assertEquals("Replaying WAL to the target: replaying WAL", s.history().get(1).text());
        assertEquals(30L, s.bytesDone(), "the counts still follow the newest report");
    }

    @Test
    void failedBackupsAreKeptPerInstanceNewestFirstAndBounded() {
        for (int i = 0; i < ViewEvents.FAILURES_KEPT + 5; i++) {
            events.apply(BackupFailed.newBuilder().setEventId(UUID.randomUUID()).setInstanceId("pg-1")
                    .setOccurredAt(T0.plusSeconds(i)).setBackupId(String.format("20261124T%06dZ-abcd", i)).setCommandId("c")
                    .setStartedAt(null).setReason("r" + i).build());
        }
        var failures = events.failures(InstanceId.of("pg-1"));
        assertEquals(ViewEvents.FAILURES_KEPT, failures.size());
        assertEquals("r" + (ViewEvents.FAILURES_KEPT + 4), failures.get(0).reason());
    }

}
