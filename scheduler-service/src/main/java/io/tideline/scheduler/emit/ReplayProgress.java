package io.tideline.scheduler.emit;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import org.apache.kafka.common.TopicPartition;

/**
 * Whether the replay of {@code tideline.backup-commands} at startup has read everything that was
 * in the topic when this replica was assigned its partitions. Until it has, the emitter must not
 * decide anything: the ledger would still miss commands already sent, and today's would go out again.
 *
 * <p>A partition counts as caught up once a record at offset {@code end - 1} was processed (or the
 * partition held nothing). Records still to process in a fetched batch are not counted early.
 * If the replay never gets there (e.g. the last offsets are transaction markers, or the partition
 * was truncated meanwhile), the replay is declared done after {@code maxWait} of monotonic time
 * since assignment: a resent command is harmless (the archiver is idempotent on the command id),
 * a scheduler that never emits is not.
 */
public final class ReplayProgress {

    private final long maxWaitNanos;
    private final LongSupplier nanoTime;
    private final Map<TopicPartition, Long> pendingUntil = new HashMap<>();
    private boolean assigned;
    private long assignedAtNanos;

    /**
     * @param maxWaitNanos how long to wait for the replay at most, once partitions are assigned
     * @param nanoTime     a monotonic time source ({@code System::nanoTime} in production)
     */
    public ReplayProgress(long maxWaitNanos, LongSupplier nanoTime) {
        if (maxWaitNanos <= 0) {
            throw new IllegalArgumentException("the replay wait must be positive: " + maxWaitNanos);
        }
        this.maxWaitNanos = maxWaitNanos;
        this.nanoTime = nanoTime;
    }

    /**
     * Partitions assigned: {@code start} is where reading begins, {@code end} the offset after the
     * last record present now. A re-assignment adds its partitions to what is still pending.
     */
    public synchronized void assigned(Map<TopicPartition, Long> start, Map<TopicPartition, Long> end) {
        if (!assigned) {
            assignedAtNanos = nanoTime.getAsLong();
        }
        assigned = true;
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            long from = start.getOrDefault(e.getKey(), 0L);
            if (e.getValue() > from) {
                pendingUntil.put(e.getKey(), e.getValue());
            }
        }
    }

    /** A record at {@code offset} of {@code partition} has been processed. */
    public synchronized void processed(TopicPartition partition, long offset) {
        Long end = pendingUntil.get(partition);
        if (end != null && offset + 1 >= end) {
            pendingUntil.remove(partition);
        }
    }

    /** True once every assigned partition has been read up to its end at assignment (or we gave up waiting). */
    public synchronized boolean caughtUp() {
        return assigned && (pendingUntil.isEmpty() || timedOut());
    }

    /** True when the replay was declared done only because it took longer than allowed. */
    public synchronized boolean timedOut() {
        return assigned && !pendingUntil.isEmpty() && nanoTime.getAsLong() - assignedAtNanos >= maxWaitNanos;
    }

    /** Whether the listener has been assigned its partitions yet. */
    public synchronized boolean isAssigned() {
        return assigned;
    }

    /** Partitions still being replayed, for logs and health. */
    public synchronized Set<TopicPartition> pending() {
        return Set.copyOf(pendingUntil.keySet());
    }
}
