package io.tideline.core.rto;

import java.time.Duration;
import java.util.Locale;

/**
 * How fast a restore replays WAL, in bytes per second: measured from restores that ran ({@link ReplayRates}), or the
 * conservative default before any was. What the RTO budget divides the WAL since the newest backup by.
 *
 * @param measurements how many measured replays it comes from; 0 = the default
 */
public record ReplayRate(double bytesPerSecond, int measurements) {

    public ReplayRate {
        if (!(bytesPerSecond > 0) || Double.isInfinite(bytesPerSecond)) {
            throw new IllegalArgumentException("a replay rate must be a positive number of bytes per second: " + bytesPerSecond);
        }
        if (measurements < 0) {
            throw new IllegalArgumentException("measurements must not be negative: " + measurements);
        }
    }

    public boolean measured() {
        return measurements > 0;
    }

    /** How long {@code walBytes} of WAL take to replay at this rate (rounded up to the second). */
    public Duration timeFor(long walBytes) {
        return Duration.ofSeconds((long) Math.ceil(Math.max(0, walBytes) / bytesPerSecond));
    }

    /** "12.5 MiB/s (slowest of 3 measured replays)" or "16.0 MiB/s (default: no replay measured yet)". */
    public String describe() {
        String rate = String.format(Locale.ROOT, "%.1f MiB/s", bytesPerSecond / (1024 * 1024));
        return rate + (measured() ? " (slowest of " + measurements + " measured replay" + (measurements == 1 ? "" : "s") + ")"
                : " (default: no replay measured yet)");
    }

    /** {@code 45 s}, {@code 21 min}, {@code 15 min 20 s}, {@code 2 h 5 min}: a replay time for people (whole seconds). */
    public static String words(Duration d) {
        long s = Math.max(0, d.toSeconds());
        long h = s / 3600;
        long m = s % 3600 / 60;
        long sec = s % 60;
        StringBuilder out = new StringBuilder();
        if (h > 0) {
            out.append(h).append(" h");
        }
        if (m > 0) {
            out.append(out.isEmpty() ? "" : " ").append(m).append(" min");
        }
        if (sec > 0 && h == 0 || out.isEmpty()) {
            out.append(out.isEmpty() ? "" : " ").append(sec).append(" s");
        }
        return out.toString();
    }
}
