package io.tideline.core.rto;

import io.tideline.core.wal.Lsn;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * How long a restore of the window's newest point would replay WAL (issue 18.6): from the newest backup's start to
 * the stored WAL's end, at a replay rate. What {@code tideline backups} shows beside the instance's RTO budget, and
 * what the scheduler's budget compares.
 */
public record NewestPointReplay(String backupId, long walBytes, ReplayRate rate, Duration estimated) {

    /** Empty when no backup or no WAL is known. */
    public static Optional<NewestPointReplay> of(String backupId, Lsn backupStart, Lsn walEnd, ReplayRate rate) {
        if (backupId == null || backupStart == null || walEnd == null) {
            return Optional.empty();
        }
        long bytes = walEnd.isAfter(backupStart) ? walEnd.bytesSince(backupStart) : 0;
        return Optional.of(new NewestPointReplay(backupId, bytes, rate, rate.timeFor(bytes)));
    }

    /** "about 3 min 20 s of WAL replay (812.0 MiB since backup X at 16.0 MiB/s (default: no replay measured yet))". */
    public String describe() {
        return "about " + ReplayRate.words(estimated) + " of WAL replay (" + String.format(Locale.ROOT, "%.1f MiB", walBytes / 1048576.0)
                + " since backup " + backupId + " at " + rate.describe() + ")";
    }
}
