package io.tideline.archiver.wal;

import java.time.Clock;
import java.util.function.Consumer;

/**
 * What the parts of one instance's stream share for its whole life: whom it streams, its settings,
 * where it reports, its time and how it waits.
 *
 * @param status    takes the one-line state shown in health and logs ({@code retrying upload of …})
 * @param heartbeat commits an empty transaction on the idle instance; never throws
 */
record StreamerContext(ReplicationTarget target, WalSettings settings, WalEvents events, WalStreamMetrics metrics,
                       Clock clock, StopSignal stop, Pauses pauses, Consumer<String> status, Runnable heartbeat) {
}
