package io.tideline.core.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tideline.testkit.time.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** The stall decision alone: clock-driven, no broker. */
class ConsumerStallsTest {

    private static final Duration STALL_AFTER = Duration.ofMinutes(5);
    private static final TopicPartition P0 = new TopicPartition("tideline.backup-commands", 0);

    private final MutableClock clock = MutableClock.at("2026-12-07T12:00:00Z");
    private final ConsumerStalls stalls = new ConsumerStalls(STALL_AFTER, clock);

    private static GroupOffsets look(int members, long committed, long end) {
        return new GroupOffsets("archiver", members, Map.of(P0, committed), Map.of(P0, end));
    }

    @Test
    void lagThatDoesNotMoveForTheThresholdIsAStallNamingGroupPartitionOffsetsAndSince() {
        Instant start = clock.instant();
        assertEquals(List.of(), stalls.observe(List.of(look(1, 10, 15))));
        clock.advance(STALL_AFTER.minusSeconds(1));
        assertEquals(List.of(), stalls.observe(List.of(look(1, 10, 15))), "not yet: just under the threshold");
        clock.advance(Duration.ofSeconds(1));

        List<ConsumerStalls.Stall> found = stalls.observe(List.of(look(1, 10, 17)));

        assertEquals(List.of(new ConsumerStalls.Stall("archiver", P0.topic(), 0, 10, 17, start, "7 records not consumed")), found);
        assertEquals("archiver tideline.backup-commands-0", found.get(0).where());
    }

    @Test
    void aCommittedOffsetThatMovesRestartsTheClockEvenWithLagLeft() {
        stalls.observe(List.of(look(1, 10, 100)));
        clock.advance(Duration.ofMinutes(4));
        stalls.observe(List.of(look(1, 11, 100)));
        clock.advance(Duration.ofMinutes(4));

        assertEquals(List.of(), stalls.observe(List.of(look(1, 11, 100))), "it moved 4 minutes ago: a slow consumer, not a stalled one");
        clock.advance(Duration.ofMinutes(1));
        assertEquals(1, stalls.observe(List.of(look(1, 11, 100))).size());
    }

    @Test
    void noLagIsNeverAStallHoweverLongTheOffsetStays() {
        stalls.observe(List.of(look(1, 10, 10)));
        clock.advance(Duration.ofHours(3));
        assertEquals(List.of(), stalls.observe(List.of(look(1, 10, 10))));
        // records arrive: the clock starts now, not three hours ago
        assertEquals(List.of(), stalls.observe(List.of(look(1, 10, 12))));
        clock.advance(Duration.ofMinutes(1));
        assertEquals(List.of(), stalls.observe(List.of(look(1, 10, 12))));
    }

    @Test
    void aStallEndsWhenTheConsumerCatchesUp() {
        stalls.observe(List.of(look(1, 10, 15)));
        clock.advance(STALL_AFTER);
        assertEquals(1, stalls.observe(List.of(look(1, 10, 15))).size());
        clock.advance(Duration.ofSeconds(15));
        assertEquals(List.of(), stalls.observe(List.of(look(1, 15, 15))));
    }

    @Test
    void aGroupWithoutALiveMemberForTheThresholdIsAStallEvenWithoutLag() {
        Instant start = clock.instant();
        assertEquals(List.of(), stalls.observe(List.of(look(0, 10, 10))), "a start or a rebalance has no member for a moment");
        clock.advance(STALL_AFTER);

        List<ConsumerStalls.Stall> found = stalls.observe(List.of(look(0, 10, 10)));

        assertEquals(1, found.size());
        assertEquals("archiver", found.get(0).where());
        assertEquals(start, found.get(0).since());
        assertTrue(found.get(0).reason().contains("no live consumer"), found.get(0).reason());
        clock.advance(Duration.ofSeconds(1));
        assertEquals(List.of(), stalls.observe(List.of(look(1, 10, 10))), "a member came back");
    }

    @Test
    void groupsAreJudgedApart() {
        GroupOffsets other = new GroupOffsets("retention", 1, Map.of(P0, 3L), Map.of(P0, 3L));
        stalls.observe(List.of(look(1, 10, 15), other));
        clock.advance(STALL_AFTER);

        List<ConsumerStalls.Stall> found = stalls.observe(List.of(look(1, 10, 15), other));

        assertEquals(List.of("archiver"), found.stream().map(ConsumerStalls.Stall::group).toList());
    }
}
