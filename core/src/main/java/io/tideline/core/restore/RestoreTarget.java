package io.tideline.core.restore;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Where a restore should stop: {@link Latest} (everything stored) or a UTC moment. The CLI's {@code --to}
 * and the restore service's requests mean the same thing by it, so both parse it here, and
 * {@code RestoreRequested.target} carries {@link #asEventText()}.
 *
 * <p>{@link #parse} accepts {@code latest} and ISO-8601 times that name a moment unambiguously: with
 * {@code Z} ({@code 2026-11-24T08:15:30Z}), with an offset ({@code 2026-11-24T10:15:30+02:00}, converted to
 * UTC) or with an offset and a region ({@code ...+01:00[Europe/Paris]}). A time without zone is refused:
 * "08:15" in whose clock? Guessing would restore to the wrong hour without anyone noticing.
 */
public sealed interface RestoreTarget {

    String LATEST = "latest";

    /** Everything the archive holds: replay all WAL, then promote. */
    record Latest() implements RestoreTarget {
        @Override
        public String toString() {
            return LATEST;
        }
    }

    /** Stop before the first commit after {@code time}. */
    record AtTime(Instant time) implements RestoreTarget {
        public AtTime {
            Objects.requireNonNull(time, "time");
        }

        @Override
        public String toString() {
            return time.toString();
        }
    }

    static RestoreTarget latest() {
        return new Latest();
    }

    static RestoreTarget at(Instant time) {
        return new AtTime(time);
    }

    /** The target as events carry it: {@code latest} or the UTC instant ({@code Instant.toString()}). */
    default String asEventText() {
        return toString();
    }

    default Optional<Instant> targetTime() {
        return this instanceof AtTime at ? Optional.of(at.time()) : Optional.empty();
    }

    /** Parses the target of a request; {@link IllegalArgumentException} with a sentence for the person who asked. */
    static RestoreTarget parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("no target time given: use 'latest' or a UTC time such as 2026-11-24T08:15:30Z");
        }
        String t = text.strip();
        if (t.toLowerCase(Locale.ROOT).equals(LATEST)) {
            return new Latest();
        }
        try {
            return new AtTime(OffsetDateTime.parse(t, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant());
        } catch (DateTimeParseException notOffset) {
            // try the other forms below
        }
        try {
            return new AtTime(ZonedDateTime.parse(t, DateTimeFormatter.ISO_ZONED_DATE_TIME).toInstant());
        } catch (DateTimeParseException notZoned) {
            // try the other forms below
        }
        if (parses(() -> LocalDateTime.parse(t, DateTimeFormatter.ISO_LOCAL_DATE_TIME))) {
            throw new IllegalArgumentException("'" + t + "' is not a time Tideline can place: it has no time zone, so the moment is ambiguous: "
                    + "add Z for UTC (" + t + "Z) or an offset such as +02:00");
        }
        if (parses(() -> LocalDate.parse(t, DateTimeFormatter.ISO_LOCAL_DATE))) {
            throw new IllegalArgumentException("'" + t + "' is not a time: it is a date, not a moment: give a UTC time such as "
                    + t + "T00:00:00Z");
        }
        throw new IllegalArgumentException("'" + t + "' is not a time Tideline understands: use 'latest' or "
                + "ISO-8601 UTC such as 2026-11-24T08:15:30Z");
    }

    private static boolean parses(Runnable parse) {
        try {
            parse.run();
            return true;
        } catch (DateTimeException e) {
            return false;
        }
    }
}
