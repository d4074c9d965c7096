package io.tideline.restore;

import io.tideline.schemas.RestorePhase;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Measures one restore's WAL replay on its way to the progress sink (issue 18.6): the time from entering
 * {@code REPLAYING_WAL} to the next phase, and the WAL bytes the server was handed by then (the phase's last count).
 * That is what {@code RestoreCompleted} records and the scheduler's RTO budget plans with: server start and
 * promotion included, so the rate errs on the slow side.
 */
final class ReplayMeter implements RecoverySteps.Progress {

    /** The replay: bytes of WAL in a duration. */
    record Replayed(long bytes, Duration took) {
    }

    private final RecoverySteps.Progress next;
    private final Clock clock;
    private Instant started;
    private Instant ended;
    private long bytes;

    ReplayMeter(RecoverySteps.Progress next, Clock clock) {
        this.next = next;
        this.clock = clock;
    }

    @Override
    public synchronized void report(RestoreTracker tracker) {
        if (tracker.phase() == RestorePhase.REPLAYING_WAL) {
            if (started == null) {
                started = clock.instant();
            }
            if (ended == null) {
                bytes = tracker.snapshot(clock.instant()).getBytesDone();
            }
        } else if (started != null && ended == null) {
            ended = clock.instant();
        }
        next.report(tracker);
    }

    /** Once the replay phase ended; empty when it never ran. */
    synchronized Optional<Replayed> replayed() {
        if (started == null || ended == null) {
            return Optional.empty();
        }
        return Optional.of(new Replayed(bytes, Duration.between(started, ended)));
    }
}
