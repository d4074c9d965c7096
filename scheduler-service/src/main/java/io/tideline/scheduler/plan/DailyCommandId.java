package io.tideline.scheduler.plan;

import io.tideline.core.ids.InstanceId;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The command id of an instance's daily base backup: {@code daily:<instance>:<yyyy-mm-dd>} with the
 * UTC date of the window. It is a pure function of (instance, date), so every scheduler replica,
 * every restart and every redelivery names the same day's backup the same way, and the archiver
 * (idempotent on the command id) takes it once.
 */
public record DailyCommandId(InstanceId instance, LocalDate day) implements Comparable<DailyCommandId> {

    public static final String PREFIX = "daily:";

    // Instance ids never contain ':' (see InstanceId), so the text splits unambiguously.
    private static final Pattern TEXT = Pattern.compile("daily:([^:]+):(\\d{4}-\\d{2}-\\d{2})");

    public DailyCommandId {
        Objects.requireNonNull(instance, "instance");
        Objects.requireNonNull(day, "day");
    }

    /** Parses a daily command id; throws with the offending text if it is not one. */
    public static DailyCommandId parse(String text) {
        return tryParse(text).orElseThrow(() ->
                new IllegalArgumentException("not a daily command id daily:<instance>:<yyyy-mm-dd>: '" + text + "'"));
    }

    /**
     * Parses a command id that may be of another kind (on-demand, after a WAL gap, after a restore):
     * empty for those, a value for a daily one. Throws if the text starts like a daily id but is
     * malformed, because that is a bug in whoever wrote it, not another kind of command.
     */
    public static Optional<DailyCommandId> tryParse(String text) {
        if (text == null || !text.startsWith(PREFIX)) {
            return Optional.empty();
        }
        Matcher m = TEXT.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("malformed daily command id: '" + text + "'");
        }
        try {
            return Optional.of(new DailyCommandId(InstanceId.of(m.group(1)), LocalDate.parse(m.group(2))));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("malformed daily command id (date): '" + text + "'", e);
        }
    }

    @Override
    public int compareTo(DailyCommandId o) {
        int byDay = day.compareTo(o.day);
        return byDay != 0 ? byDay : instance.value().compareTo(o.instance.value());
    }

    @Override
    public String toString() {
        return PREFIX + instance.value() + ":" + day;
    }
}
