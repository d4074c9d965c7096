package io.tideline.archiver.wal;

import java.time.Duration;

/**
 * Where a stream's thread waits. In production that is the stop signal and {@link Thread#sleep}
 * ({@link StopSignal}); unit tests put a clock they move behind it, so waits cost no time.
 */
interface Pauses {

    /** Returns once {@code wait} passed, or as soon as a stop is requested. */
    void untilStopOr(Duration wait);

    /** Returns once {@code wait} passed, whatever is requested meanwhile; an interrupt ends it early. */
    void sleep(Duration wait) throws InterruptedException;
}
