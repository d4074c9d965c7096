package io.tideline.core.kafka;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * Decides, from successive looks at the service's consumer groups ({@link GroupOffsets}), which of them
 * make no progress on records they have: a partition with lag whose committed offset has not moved for
 * {@code stallAfter}, or a group without any live member for {@code stallAfter}. The clock, not the
 * number of looks, decides, so the answer does not depend on how often it is asked.
 */
public final class ConsumerStalls {

    /** A group that does not consume records it has, and since when. */
    public record Stall(String group, String topic, int partition, long committed, long end, Instant since, String reason) {

        String where() {
            return partition < 0 ? group : group + " " + topic + "-" + partition;
        }
    }

    private record Seen(long committed, Instant since) {
    }

    private final Duration stallAfter;
    private final Clock clock;
    /** Per group and partition: the committed offset last seen with lag, and since when it is that. */
    private final Map<String, Map<TopicPartition, Seen>> lagging = new HashMap<>();
    private final Map<String, Instant> memberless = new HashMap<>();

    public ConsumerStalls(Duration stallAfter, Clock clock) {
        this.stallAfter = stallAfter;
        this.clock = clock;
    }

    /** Takes one look at the groups and answers which of them are stalled now. */
    public synchronized List<Stall> observe(List<GroupOffsets> groups) {
        Instant now = clock.instant();
        List<Stall> stalls = new ArrayList<>();
        for (GroupOffsets group : groups) {
            noLiveMember(group, now, stalls);
            lagThatDoesNotMove(group, now, stalls);
        }
        return stalls;
    }

    private void noLiveMember(GroupOffsets group, Instant now, List<Stall> stalls) {
        if (group.members() > 0) {
            memberless.remove(group.group());
            return;
        }
        Instant since = memberless.computeIfAbsent(group.group(), g -> now);
        if (stalledSince(since, now)) {
            stalls.add(new Stall(group.group(), "", -1, -1, -1, since, "no live consumer in the group"));
        }
    }

    private void lagThatDoesNotMove(GroupOffsets group, Instant now, List<Stall> stalls) {
        Map<TopicPartition, Seen> seen = lagging.computeIfAbsent(group.group(), g -> new HashMap<>());
        Map<TopicPartition, Seen> next = new HashMap<>();
        group.committed().forEach((partition, committed) -> {
            Long end = group.end().get(partition);
            if (end == null || end <= committed) {
                return; // nothing to consume there (or the end is unknown): not lagging
            }
            Seen before = seen.get(partition);
            Seen now1 = before != null && before.committed() == committed ? before : new Seen(committed, now);
            next.put(partition, now1);
            if (stalledSince(now1.since(), now)) {
                stalls.add(new Stall(group.group(), partition.topic(), partition.partition(), committed, end, now1.since(),
                        (end - committed) + " records not consumed"));
            }
        });
        lagging.put(group.group(), next);
    }

    private boolean stalledSince(Instant since, Instant now) {
        return !now.isBefore(since.plus(stallAfter));
    }
}
