package io.tideline.restore;

import io.tideline.core.ids.RestoreId;
import io.tideline.schemas.RestorePhase;
import io.tideline.schemas.RestoreProgress;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/**
 * Where one running restore is, updated by its steps and published as {@code RestoreProgress} at every
 * phase change and at a steady pace in between (the steady pace is also how other replicas see that the
 * restore is alive). Thread-safe: steps write, the heartbeat reads.
 */
public final class RestoreTracker {

    private final RestoreId restoreId;
    private final String source;
    private volatile RestorePhase phase = RestorePhase.PROVISIONING;
    private volatile long bytesDone;
    private volatile Long bytesTotal;
    private volatile long walSegmentsReplayed;
    private volatile String message = "waiting for a free restore slot";
    private volatile String cancelledBy;
    private volatile Instant replayedTo;
    private volatile Instant replayTarget;

    public RestoreTracker(RestoreId restoreId, String source) {
        this.restoreId = restoreId;
        this.source = source;
    }

    public RestoreId restoreId() {
        return restoreId;
    }

    public String source() {
        return source;
    }

    public RestorePhase phase() {
        return phase;
    }

    /**
     * Asks the restore to stop: its next step, byte count or WAL count throws {@link RestoreFailure}, and the
     * failure path removes what it made (cooperative: a step is never cut off in the middle of a write).
     */
    public void cancel(String by) {
        cancelledBy = by;
    }

    /** Who cancelled it, once someone did. */
    public Optional<String> cancelledBy() {
        return Optional.ofNullable(cancelledBy);
    }

    /** @throws RestoreFailure {@code cancelled by <who>} once the restore was cancelled */
    public void failIfCancelled() {
        String by = cancelledBy;
        if (by != null) {
            throw new RestoreFailure(cancelReason(by));
        }
    }

    public static String cancelReason(String by) {
        return "cancelled by " + by;
    }

    /** Enters a phase; bytes start again from 0 of {@code total} (null = not known). */
    public synchronized void enter(RestorePhase next, Long total, String why) {
        failIfCancelled();
        phase = next;
        bytesDone = 0;
        bytesTotal = total;
        message = why;
    }

    public void bytes(long done) {
        failIfCancelled();
        bytesDone = done;
    }

    public void walSegments(long replayed) {
        failIfCancelled();
        walSegmentsReplayed = replayed;
    }

    public long walSegmentsReplayed() {
        return walSegmentsReplayed;
    }

    /** The commit time of the last transaction replayed (the recovering server's own answer). */
    public void replayedTo(Instant lastReplayedCommit) {
        replayedTo = lastReplayedCommit;
    }

    public Optional<Instant> replayedTo() {
        return Optional.ofNullable(replayedTo);
    }

    /** The moment replay runs to (the target time, or for {@code latest} the newest commit recorded); set once planned. */
    public void replayTarget(Optional<Instant> target) {
        replayTarget = target.orElse(null);
    }

    public void message(String text) {
        message = text;
    }

    public Optional<String> message() {
        return Optional.ofNullable(message);
    }

    public synchronized RestoreProgress snapshot(Instant now) {
        return RestoreProgress.newBuilder()
                .setEventId(UUID.randomUUID())
                .setInstanceId(source)
                .setOccurredAt(now)
                .setRestoreId(restoreId.value())
                .setPhase(phase)
                .setBytesDone(bytesDone)
                .setBytesTotal(bytesTotal)
                .setWalSegmentsReplayed(walSegmentsReplayed)
                .setMessage(message)
                .setReplayedTo(replayedTo)
                .setReplayTarget(replayTarget)
                .build();
    }
}
