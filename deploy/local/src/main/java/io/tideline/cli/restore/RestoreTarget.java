package io.tideline.cli.restore;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * What {@code --to} asks for: {@code latest}, or a moment. A moment is ISO-8601 with a zone
 * ({@code 2026-11-05T10:15:30Z}, {@code 2026-11-05T11:15:30+01:00}) and is sent as UTC; a moment
 * without a zone is refused rather than guessed.
 */
public record RestoreTarget(Optional<Instant> time) {

    public static final String LATEST = "latest";

    public static RestoreTarget latest() {
        return new RestoreTarget(Optional.empty());
    }

    public static RestoreTarget at(Instant time) {
        return new RestoreTarget(Optional.of(time));
    }

    /** @throws IllegalArgumentException with a reason a person understands */
    public static RestoreTarget parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("no target time given (a UTC ISO-8601 time such as 2026-11-05T10:15:30Z, or 'latest')");
        }
        String t = text.strip();
        if (t.equalsIgnoreCase(LATEST)) {
            return latest();
        }
        try {
            return at(Instant.parse(t));
        } catch (DateTimeParseException e) {
            try {
                return at(OffsetDateTime.parse(t).toInstant());
            } catch (DateTimeParseException e2) {
                throw new IllegalArgumentException("'" + text + "' is not a time: give a UTC ISO-8601 time such as "
                        + "2026-11-05T10:15:30Z (or with an offset, +01:00), or 'latest'");
            }
        }
    }

    /** The text of {@code RestoreRequested.target}: {@code latest} or the UTC instant. */
    public String asEventText() {
        return time.map(Instant::toString).orElse(LATEST);
    }

    @Override
    public String toString() {
        return asEventText();
    }
}
