package io.tideline.platform.local.postgres;

import io.tideline.core.instance.InstanceOperationException;
import java.time.Duration;

/** A point on the monotonic clock: timeouts must not stretch or shrink when the wall clock is set. */
record Deadline(long nanos) {

    static Deadline after(Duration d) {
        return new Deadline(System.nanoTime() + d.toNanos());
    }

    boolean passed() {
        return System.nanoTime() - nanos > 0;
    }

    /** Sleeps between two polls; an interrupt ends the operation that polls. */
    static void pause(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InstanceOperationException("interrupted", e);
        }
    }
}
