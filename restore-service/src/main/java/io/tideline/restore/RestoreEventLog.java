package io.tideline.restore;

import java.time.Duration;

/**
 * Every restore event stored so far ({@code tideline.restore-events}), read on demand: what a replica
 * learns at each partition assignment and sweep, whoever published it.
 */
interface RestoreEventLog {

    /**
     * Applies every event stored now; fails (for the caller to retry) if the end is not reached in {@code timeout}.
     *
     * @return the partition count of {@code tideline.restore-requests}, which decides which replica owns a source
     */
    int replayInto(RestoreLedger ledger, Duration timeout);
}
