package io.tideline.restore.view;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Locale;

/**
 * Every time the Backups view shows: UTC ISO-8601 to the microsecond, one precision throughout. Microseconds
 * because that is PostgreSQL's precision and the clocks' here: a window's ends are shown exactly, so a freshly
 * restored instance's one-instant window reads {@code T → T} and the time read off the page, typed back, is
 * inside it. (Rounding to the second showed {@code 11:23:51Z → 11:23:50Z}: the start rounded up past the end.)
 */
final class ViewTimes {

    private static final DateTimeFormatter MICROS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    private ViewTimes() {
    }

    static String iso(Instant t) {
        return MICROS.format(t);
    }

    static String iso(String isoInstant) {
        return isoInstant == null ? null : iso(Instant.parse(isoInstant));
    }

    /**
     * A range's ends for people: the start rounded up and the end down to the microsecond, so both are inside
     * it; a range shorter than that (nanosecond ends, never from PostgreSQL) keeps its exact ends.
     */
    static String[] range(Instant from, Instant to) {
        Instant up = from.truncatedTo(ChronoUnit.MICROS);
        if (up.isBefore(from)) {
            up = up.plus(1, ChronoUnit.MICROS);
        }
        Instant down = to.truncatedTo(ChronoUnit.MICROS);
        if (up.isAfter(down)) {
            return new String[] {from.toString(), to.toString()};
        }
        return new String[] {iso(up), iso(down)};
    }

    /** A duration for people: {@code 850 ms}, {@code 42 s}, {@code 3 min 5 s}, {@code 2 h 4 min}, {@code 3 d 2 h}. */
    static String duration(Duration d) {
        long ms = Math.max(0, d.toMillis());
        if (ms < 1000) {
            return ms + " ms";
        }
        long s = ms / 1000;
        if (s < 60) {
            return s + " s";
        }
        if (s < 3600) {
            return (s / 60) + " min" + (s % 60 == 0 ? "" : " " + (s % 60) + " s");
        }
        if (s < 86_400) {
            return (s / 3600) + " h" + (s % 3600 / 60 == 0 ? "" : " " + (s % 3600 / 60) + " min");
        }
        return (s / 86_400) + " d" + (s % 86_400 / 3600 == 0 ? "" : " " + (s % 86_400 / 3600) + " h");
    }

    /** Bytes for people, binary units ({@code 2.0 MiB}). */
    static String size(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
