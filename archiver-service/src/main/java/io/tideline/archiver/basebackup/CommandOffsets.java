package io.tideline.archiver.basebackup;

import java.util.HashMap;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Optional;
import java.util.TreeSet;
import org.apache.kafka.common.TopicPartition;

/**
 * Which offsets of the backup-command partitions may be committed: a partition's committed position
 * never passes a command whose handling has not ended, however many later ones have. A replica that
 * dies therefore leaves every command it had queued or running uncommitted, and whoever gets the
 * partition next reads them again (finished ones again too: they are idempotent by command id).
 * Used by the consumer thread only.
 */
final class CommandOffsets {

    private final Map<TopicPartition, NavigableSet<Long>> open = new HashMap<>();
    /** Per partition, the offset after the highest one taken in. */
    private final Map<TopicPartition, Long> next = new HashMap<>();
    private final Map<TopicPartition, Long> committed = new HashMap<>();

    /** A record of {@code partition} taken in; its handling has not ended. */
    void taken(TopicPartition partition, long offset) {
        open.computeIfAbsent(partition, p -> new TreeSet<>()).add(offset);
        next.merge(partition, offset + 1, Math::max);
    }

    /** The handling of that record ended (done, answered, or dead-lettered). */
    void finished(TopicPartition partition, long offset) {
        NavigableSet<Long> offsets = open.get(partition);
        if (offsets != null) {
            offsets.remove(offset);
        }
    }

    /** The position to commit for {@code partition}, when it moved past what was committed. */
    Optional<Long> committable(TopicPartition partition) {
        Long after = next.get(partition);
        if (after == null) {
            return Optional.empty();
        }
        NavigableSet<Long> offsets = open.get(partition);
        long position = offsets == null || offsets.isEmpty() ? after : offsets.first();
        Long done = committed.get(partition);
        return done != null && done >= position ? Optional.empty() : Optional.of(position);
    }

    /** Every partition's position to commit now. */
    Map<TopicPartition, Long> committable() {
        Map<TopicPartition, Long> positions = new HashMap<>();
        for (TopicPartition partition : next.keySet()) {
            committable(partition).ifPresent(position -> positions.put(partition, position));
        }
        return positions;
    }

    void committed(TopicPartition partition, long position) {
        committed.put(partition, position);
    }

    /** The partition went to another member: what it had open is that member's now. */
    void forget(TopicPartition partition) {
        open.remove(partition);
        next.remove(partition);
        committed.remove(partition);
    }
}
