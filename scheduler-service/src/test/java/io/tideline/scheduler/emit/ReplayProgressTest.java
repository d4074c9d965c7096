package io.tideline.scheduler.emit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class ReplayProgressTest {

    private static final TopicPartition P0 = new TopicPartition("tideline.backup-commands", 0);
    private static final TopicPartition P1 = new TopicPartition("tideline.backup-commands", 1);
    private static final TopicPartition P2 = new TopicPartition("tideline.backup-commands", 2);

    private final AtomicLong nanos = new AtomicLong(1_000);
    private final ReplayProgress replay = new ReplayProgress(Duration.ofMinutes(2).toNanos(), nanos::get);

    @Test
    void notCaughtUpBeforeAssignment() {
        assertFalse(replay.isAssigned());
        assertFalse(replay.caughtUp());
        nanos.addAndGet(Duration.ofHours(1).toNanos());
        assertFalse(replay.caughtUp(), "the timeout runs from the assignment, not from construction");
    }

    @Test
    void caughtUpWhenTheLastRecordOfEveryNonEmptyPartitionWasProcessed() {
        // P0: records 0..9; P1: empty; P2: records 40..41 (older ones expired)
        replay.assigned(Map.of(P0, 0L, P1, 0L, P2, 40L), Map.of(P0, 10L, P1, 0L, P2, 42L));
        assertTrue(replay.isAssigned());
        assertEquals(Set.of(P0, P2), replay.pending());

        replay.processed(P0, 8);
        replay.processed(P2, 41);
        assertFalse(replay.caughtUp());
        assertEquals(Set.of(P0), replay.pending());

        replay.processed(P0, 9);
        assertTrue(replay.caughtUp());
        assertFalse(replay.timedOut());
    }

    @Test
    void allEmptyIsCaughtUpAtOnce() {
        replay.assigned(Map.of(P0, 5L), Map.of(P0, 5L));
        assertTrue(replay.caughtUp());
    }

    @Test
    void givesUpAfterTheMaximumWaitWhenTheEndIsNeverReached() {
        replay.assigned(Map.of(P0, 0L), Map.of(P0, 10L));
        replay.processed(P0, 7); // 8 and 9 are, say, transaction markers: never delivered
        nanos.addAndGet(Duration.ofMinutes(2).minusNanos(1).toNanos());
        assertFalse(replay.caughtUp());
        nanos.addAndGet(1);
        assertTrue(replay.caughtUp());
        assertTrue(replay.timedOut());
    }

    @Test
    void rejectsANonPositiveWait() {
        assertThrows(IllegalArgumentException.class, () -> new ReplayProgress(0, nanos::get));
    }
}
