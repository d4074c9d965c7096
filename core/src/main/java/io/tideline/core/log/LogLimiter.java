package io.tideline.core.log;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Keeps a line that repeats (the same failure of the same record, over and over) from filling the
 * disk: per key, at most {@code perWindow} lines are let through in each {@code window}; the rest are
 * counted, and the next line let through says how many were left out.
 *
 * <p>Logback's {@code DuplicateMessageFilter} was considered: it keys on the message pattern alone
 * (so one noisy record would silence the same line about every other record) and never lets a line
 * through again once the count is reached; a window per record fits better. Thread-safe; it
 * remembers at most {@value #MAX_KEYS} keys (the least recently seen are forgotten).
 */
public final class LogLimiter {

    static final int MAX_KEYS = 1_000;

    private final Duration window;
    private final int perWindow;
    private final Clock clock;
    private final Map<String, Entry> entries = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
            return size() > MAX_KEYS;
        }
    };

    public LogLimiter(Duration window, int perWindow, Clock clock) {
        if (window.isNegative() || window.isZero() || perWindow < 1) {
            throw new IllegalArgumentException("a log limiter needs a positive window and at least one line per window");
        }
        this.window = window;
        this.perWindow = perWindow;
        this.clock = clock;
    }

    /**
     * Whether a line for {@code key} may be logged now: {@code -1} if it must be left out, otherwise
     * how many lines for this key were left out since the last one let through (usually 0).
     */
    public synchronized long admit(String key) {
        Instant now = clock.instant();
        Entry entry = entries.get(key);
        if (entry == null || !now.isBefore(entry.windowStart.plus(window))) {
            long suppressed = entry == null ? 0 : entry.suppressed;
            entries.put(key, new Entry(now, 1, 0));
            return suppressed;
        }
        if (entry.admitted < perWindow) {
            entry.admitted++;
            long suppressed = entry.suppressed;
            entry.suppressed = 0;
            return suppressed;
        }
        entry.suppressed++;
        return -1;
    }

    private static final class Entry {
        final Instant windowStart;
        int admitted;
        long suppressed;

        Entry(Instant windowStart, int admitted, long suppressed) {
            this.windowStart = windowStart;
            this.admitted = admitted;
            this.suppressed = suppressed;
        }
    }
}
