package io.tideline.restore;

import io.tideline.core.ids.InstanceId;
import io.tideline.core.instance.InstanceProvisioner;
import io.tideline.restore.wal.WalSession;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches a recovering instance until it has promoted, while its WAL is served: reports the segments
 * replayed, and fails the restore as soon as the WAL session has failed (a checksum mismatch, a
 * required segment gone) — also when the server, told "no such file" by curl, has promoted early on a
 * shortened history, because such an instance lacks commits it should have.
 *
 * <p>PostgreSQL 15 stops with FATAL "recovery ended before configured recovery target was reached" when
 * the archive ends before a commit later than {@code recovery_target_time} was seen. The target was
 * inside the window, so then every commit in the archive is at or before the target:
 * {@link Outcome#TARGET_AFTER_LAST_COMMIT} tells the caller to recover again without a target.
 */
public final class RecoveryMonitor {

    static final String TARGET_NOT_REACHED = "recovery ended before configured recovery target was reached";
    private static final Logger LOG = LoggerFactory.getLogger(RecoveryMonitor.class);

    public enum Outcome { PROMOTED, TARGET_AFTER_LAST_COMMIT }

    private final InstanceProvisioner provisioner;
    private final Duration poll;
    private final Optional<ReplayPosition> replayPosition;

    public RecoveryMonitor(InstanceProvisioner provisioner, Duration poll) {
        this(provisioner, poll, Optional.empty());
    }

    /** @param replayPosition asked at every report for the time replay reached (issue 18.6) */
    public RecoveryMonitor(InstanceProvisioner provisioner, Duration poll, Optional<ReplayPosition> replayPosition) {
        this.provisioner = provisioner;
        this.poll = poll;
        this.replayPosition = replayPosition;
    }

    /**
     * @param timeTarget whether recovery was started with a target time
     * @throws RestoreFailure with the WAL session's reason, or what the server said
     */
    public Outcome await(InstanceId instance, WalSession wal, Duration timeout, boolean timeTarget, RestoreTracker tracker) {
        CompletableFuture<Void> promoted = CompletableFuture.runAsync(() -> provisioner.awaitPromotion(instance, timeout),
                command -> {
                    Thread t = new Thread(command, "await-promotion-" + instance.value());
                    t.setDaemon(true);
                    t.start();
                });
        while (true) {
            try {
                promoted.get(poll.toMillis(), TimeUnit.MILLISECONDS);
                report(instance, wal, tracker);
                failIfWalFailed(instance, wal);
                return Outcome.PROMOTED;
            } catch (TimeoutException e) {
                report(instance, wal, tracker);
                if (wal.failure().isPresent()) {
                    stopQuietly(instance);
                    failIfWalFailed(instance, wal);
                }
            } catch (ExecutionException e) {
                report(instance, wal, tracker);
                failIfWalFailed(instance, wal);
                String what = Optional.ofNullable(e.getCause()).map(Throwable::getMessage).orElse(e.toString());
                if (timeTarget && what.contains(TARGET_NOT_REACHED)) {
                    return Outcome.TARGET_AFTER_LAST_COMMIT;
                }
                throw new RestoreFailure("the new instance " + instance + " did not complete recovery: " + what, e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stopQuietly(instance);
                throw new RestoreFailure("the restore service is shutting down", e);
            }
        }
    }

    private void report(InstanceId instance, WalSession wal, RestoreTracker tracker) {
        replayPosition.flatMap(p -> p.lastReplayedCommit(instance)).ifPresent(tracker::replayedTo);
        tracker.walSegments(wal.segmentsServed());
        tracker.bytes(wal.bytesServed());
        wal.newestServed().ifPresent(s -> tracker.message("replaying WAL, fetched through " + s));
        // (the count is of segments handed to the server: each is replayed once it has it)
    }

    private static void failIfWalFailed(InstanceId instance, WalSession wal) {
        if (wal.failure().isPresent()) {
            throw new RestoreFailure(wal.failure().get());
        }
    }

    private void stopQuietly(InstanceId instance) {
        try {
            provisioner.stop(instance);
        } catch (RuntimeException e) {
            LOG.warn("could not stop {} after its WAL failed: {}", instance, e.getMessage());
        }
    }
}
