package io.tideline.core.kafka;

import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * One look at a consumer group from the broker's side: how many members it has, where it committed
 * and where each of those partitions ends.
 */
public record GroupOffsets(String group, int members, Map<TopicPartition, Long> committed, Map<TopicPartition, Long> end) {

    public GroupOffsets {
        committed = Map.copyOf(committed);
        end = Map.copyOf(end);
    }
}
