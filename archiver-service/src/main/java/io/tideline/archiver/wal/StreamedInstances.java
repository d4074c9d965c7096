package io.tideline.archiver.wal;

import io.tideline.core.ids.InstanceId;
import io.tideline.core.registry.RegisteredInstance;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Which instances this replica streams: exactly the registered instances of the partitions of
 * {@code tideline.instances} its consumer group assigned to it. Kafka's group protocol gives a
 * partition to one member at a time and calls revocation before handing it to another, so two
 * replicas never own one instance; the instance's replication slot, which the server lets only one
 * stream use, is the second fence against a replica that lost its partitions without noticing.
 *
 * <p>Plain logic, driven by the listener on the consumer thread; no Kafka types.
 */
public final class StreamedInstances {

    private final StreamControl streams;
    private final Map<Integer, Set<InstanceId>> byPartition = new HashMap<>();
    private final Set<Integer> assigned = new HashSet<>();

    public StreamedInstances(StreamControl streams) {
        this.streams = Objects.requireNonNull(streams, "streams");
    }

    /** Partitions newly assigned; their registrations are read again from the beginning and arrive as records. */
    public synchronized void assigned(Collection<Integer> partitions) {
        assigned.addAll(partitions);
    }

    /**
     * Partitions taken away (a rebalance, a shutdown): their streams store their growing segments
     * and stop before this returns, so the next owner resumes from a bucket that holds everything
     * this replica received.
     */
    public synchronized void revoked(Collection<Integer> partitions) {
        List<InstanceId> stopping = new ArrayList<>();
        for (Integer partition : partitions) {
            Set<InstanceId> instances = byPartition.remove(partition);
            if (instances != null) {
                stopping.addAll(instances);
            }
            assigned.remove(partition);
        }
        if (!stopping.isEmpty()) {
            streams.stop(stopping, true);
        }
    }

    /** A registration read from an assigned partition (a re-registration restarts the stream only if it changed). */
    public synchronized void registered(int partition, RegisteredInstance instance) {
        if (!assigned.contains(partition)) {
            // a record polled just before its partition was revoked: it belongs to the next owner
            return;
        }
        byPartition.computeIfAbsent(partition, p -> new HashSet<>()).add(instance.id());
        streams.start(instance);
    }

    /** The instance was removed from the fleet (tombstone): stop streaming it. */
    public synchronized void removed(int partition, InstanceId instance) {
        Set<InstanceId> instances = byPartition.get(partition);
        boolean owned = instances != null && instances.remove(instance);
        if (owned) {
            streams.stop(List.of(instance), true);
        }
    }

    public synchronized Set<InstanceId> owned() {
        Set<InstanceId> all = new HashSet<>();
        byPartition.values().forEach(all::addAll);
        return all;
    }
}
