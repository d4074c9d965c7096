package io.tideline.retention.run;

import io.tideline.core.ids.InstanceId;
import io.tideline.core.kafka.KeyPartitioner;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;

/**
 * Which instances this replica runs retention for: those whose {@code tideline.timeline} partition the
 * group {@code tideline-retention} assigned to it. Every event of an instance is keyed by its id, so
 * the partition is the producer's default choice for that key (murmur2 of the key modulo the partition
 * count); with one replica it owns everything, with several each instance has exactly one owner at a
 * time and two replicas never delete in the same bucket at once.
 */
public final class InstanceOwnership {

    private final Set<Integer> assigned = new HashSet<>();
    private int partitionCount;

    public synchronized void assigned(Collection<Integer> partitions, int partitionCount) {
        this.partitionCount = partitionCount;
        assigned.addAll(partitions);
    }

    public synchronized void revoked(Collection<Integer> partitions) {
        assigned.removeAll(partitions);
    }

    public synchronized boolean owns(InstanceId instance) {
        return partitionCount > 0 && assigned.contains(partitionOf(instance, partitionCount));
    }

    /** The partition Kafka's default partitioner gives a record keyed by the instance id. */
    static int partitionOf(InstanceId instance, int partitionCount) {
        return KeyPartitioner.partitionOf(instance.value(), partitionCount);
    }
}
