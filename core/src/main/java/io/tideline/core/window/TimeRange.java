package io.tideline.core.window;

import java.time.Instant;
import java.util.Objects;

/** A closed interval of UTC moments {@code [from, to]}; {@code from == to} is a single moment. */
public record TimeRange(Instant from, Instant to) {

    public TimeRange {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        if (to.isBefore(from)) {
            throw new IllegalArgumentException("time range ends " + to + " before it starts " + from);
        }
    }

    public boolean contains(Instant t) {
        return !t.isBefore(from) && !t.isAfter(to);
    }

    public boolean contains(TimeRange other) {
        return !other.from.isBefore(from) && !other.to.isAfter(to);
    }

    @Override
    public String toString() {
        return "[" + from + ", " + to + "]";
    }
}
