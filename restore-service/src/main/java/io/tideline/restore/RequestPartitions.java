package io.tideline.restore;

import io.micronaut.context.annotation.Requires;
import io.tideline.core.kafka.KeyPartitioner;
import io.tideline.core.kafka.Topics;
import jakarta.inject.Singleton;
import java.util.Collection;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.TopicPartition;

/**
 * Which sources' restores this replica answers for: the partitions of {@code tideline.restore-requests}
 * its consumer group gave it. A source's requests (and so its restores) belong to the replica that owns
 * the partition its key hashes to; only that replica may fail a restore nobody runs any more.
 * Thread-safe: the consumer's rebalance callbacks write, the sweep reads.
 */
@Singleton
@Requires(property = RestoreConfiguration.ENABLED, notEquals = "false")
final class RequestPartitions {

    private final Set<Integer> owned = ConcurrentHashMap.newKeySet();
    private volatile int count;

    /** Keeps the request partitions among {@code partitions} (other topics are ignored). */
    void assigned(Collection<TopicPartition> partitions) {
        partitions.stream().filter(p -> p.topic().equals(Topics.RESTORE_REQUESTS)).forEach(p -> owned.add(p.partition()));
    }

    void revoked(Collection<TopicPartition> partitions) {
        partitions.stream().filter(p -> p.topic().equals(Topics.RESTORE_REQUESTS)).forEach(p -> owned.remove(p.partition()));
    }

    /** How many partitions the request topic has (learnt with each read of the event log). */
    void partitionCount(int partitions) {
        count = partitions;
    }

    boolean ownsAny() {
        return !owned.isEmpty();
    }

    /** Whether requests keyed {@code source} land on a partition this replica owns; false before the count is known. */
    boolean owns(String source) {
        int partitions = count;
        if (partitions < 1) {
            return false;
        }
        // The producer's default partitioner: the same key always lands on the same request partition.
        return owned.contains(KeyPartitioner.partitionOf(source, partitions));
    }
}
