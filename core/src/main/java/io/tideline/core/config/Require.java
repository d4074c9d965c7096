package io.tideline.core.config;

import java.time.Duration;
import java.util.function.Function;

/**
 * The checks a settings record runs in its compact constructor. Every failure is an
 * {@link IllegalArgumentException} whose message names the full property and says what it must be and
 * what it was, in the words a person types into configuration:
 * {@code tideline.archiver.wal.flush-interval must be at least 1s, not 500ms}. A bad setting therefore
 * fails the start of the service with a message that says which line to fix.
 */
public final class Require {

    private Require() {
    }

    /** {@code ok}, or a failure: {@code <property> must be <rule>, not <value>}. */
    public static void that(boolean ok, String property, String rule, Object value) {
        if (!ok) {
            throw new IllegalArgumentException(property + " must be " + rule + ", not " + text(value));
        }
    }

    public static <T> T present(T value, String property) {
        if (value == null) {
            throw new IllegalArgumentException(property + " is missing");
        }
        return value;
    }

    /** Longer than zero. */
    public static void positive(Duration value, String property) {
        that(value != null && value.compareTo(Duration.ZERO) > 0, property, "positive", value);
    }

    /** Zero or longer. */
    public static void notNegative(Duration value, String property) {
        that(value != null && !value.isNegative(), property, "zero or positive", value);
    }

    public static void atLeast(Duration value, Duration least, String property) {
        that(value != null && value.compareTo(least) >= 0, property, "at least " + text(least), value);
    }

    /** {@code value} at least as long as the setting {@code otherProperty}, whose value is {@code other}. */
    public static void atLeast(Duration value, String otherProperty, Duration other, String property) {
        that(value != null && value.compareTo(other) >= 0, property,
                "at least " + otherProperty + " (" + text(other) + ")", value);
    }

    public static void atLeast(long value, long least, String property) {
        that(value >= least, property, "at least " + least, value);
    }

    public static void between(long value, long least, long most, String property) {
        that(value >= least && value <= most, property, least + ".." + most, value);
    }

    public static void notBlank(String value, String property) {
        that(value != null && !value.isBlank(), property, "set", value);
    }

    /**
     * {@code text} read by a value type's own parse, whose message already says what was expected; a
     * failure is prefixed with the property: {@code tideline.scheduler.band: not a UTC band HH:mm-HH:mm: '22-04'}.
     */
    public static <T> T parsed(String text, Function<String, T> parse, String property) {
        try {
            return parse.apply(present(text, property));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(property + ": " + e.getMessage(), e);
        }
    }

    /** A value as it would be written in configuration: durations as {@code 500ms}, {@code 1s}, {@code 7d}. */
    static String text(Object value) {
        if (value instanceof Duration d) {
            return duration(d);
        }
        if (value instanceof CharSequence s) {
            return "'" + s + "'";
        }
        return String.valueOf(value);
    }

    private static String duration(Duration d) {
        if (d.isZero()) {
            return "0s";
        }
        if (d.getNano() % 1_000_000 != 0) {
            return d.toString();
        }
        long millis = d.toMillis();
        long[] units = {86_400_000L, 3_600_000L, 60_000L, 1_000L};
        String[] names = {"d", "h", "m", "s"};
        for (int i = 0; i < units.length; i++) {
            if (millis % units[i] == 0) {
                return millis / units[i] + names[i];
            }
        }
        return millis + "ms";
    }
}
