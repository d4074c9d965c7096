package io.tideline.core.registry;

import io.tideline.schemas.RestoreDrillPolicy;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Objects;
import java.util.Optional;

/**
 * An instance's restore drill policy: how long it may go without a restore drill that proved its backups
 * restorable ({@code every}; empty = drills off), and an optional probe — a query run on the drill's copy
 * whose first column of the first row must read {@code expected}. Part of the instance's registration, so
 * the restore service (which runs the drills) and {@code tideline audit} (which checks them) read the same
 * policy. The default is weekly without a probe.
 */
public record DrillPolicy(Optional<Duration> every, Optional<Probe> probe) {

    public static final Duration DEFAULT_EVERY = Duration.ofDays(7);
    public static final DrillPolicy DEFAULT = new DrillPolicy(Optional.of(DEFAULT_EVERY), Optional.empty());
    public static final String OFF = "off";

    /** A query and the text its first column of its first row must be (null reads as the text "null"). */
    public record Probe(String query, String expected) {
        public Probe {
            Objects.requireNonNull(query, "query");
            Objects.requireNonNull(expected, "expected");
            if (query.isBlank()) {
                throw new IllegalArgumentException("a probe query must not be blank");
            }
        }
    }

    public DrillPolicy {
        Objects.requireNonNull(every, "every");
        Objects.requireNonNull(probe, "probe");
        every.ifPresent(e -> {
            if (e.isNegative() || e.isZero()) {
                throw new IllegalArgumentException("a drill period must be positive: " + e);
            }
        });
    }

    public static DrillPolicy every(Duration every) {
        return new DrillPolicy(Optional.of(every), Optional.empty());
    }

    public static DrillPolicy off() {
        return new DrillPolicy(Optional.empty(), Optional.empty());
    }

    public DrillPolicy withProbe(String query, String expected) {
        return new DrillPolicy(every, Optional.of(new Probe(query, expected)));
    }

    public boolean isOff() {
        return every.isEmpty();
    }

    /**
     * {@code off} or an ISO-8601 duration ({@code P7D}, {@code PT30S}); a clear error otherwise.
     */
    public static Optional<Duration> parseEvery(String text) {
        String t = text.trim();
        if (t.equalsIgnoreCase(OFF)) {
            return Optional.empty();
        }
        try {
            Duration d = Duration.parse(t);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("a drill period must be positive: " + text);
            }
            return Optional.of(d);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("a drill period is 'off' or an ISO-8601 duration such as P7D or PT1H: '" + text + "'");
        }
    }

    /** {@code off} or the ISO-8601 duration, in days when it is whole days ({@code P7D}, not {@code PT168H}). */
    public String everyText() {
        return every.map(d -> d.toSeconds() % 86_400 == 0 && d.getNano() == 0 ? "P" + d.toDays() + "D" : d.toString()).orElse(OFF);
    }

    /**
     * When an instance registered at {@code registeredAt} whose last good drill (if any) was at {@code lastGood}
     * is overdue: one period after the later of the two. Empty when drills are off.
     */
    public Optional<Instant> dueBy(Instant registeredAt, Optional<Instant> lastGood) {
        Instant since = lastGood.filter(g -> g.isAfter(registeredAt)).orElse(registeredAt);
        return every.map(since::plus);
    }

    public static DrillPolicy from(RestoreDrillPolicy event) {
        if (event == null) {
            return DEFAULT;
        }
        Optional<Probe> probe = Optional.ofNullable(event.getProbeQuery())
                .map(q -> new Probe(q, Optional.ofNullable(event.getProbeExpected()).orElse("")));
        return new DrillPolicy(parseEvery(event.getEvery()), probe);
    }

    public RestoreDrillPolicy toEvent() {
        return RestoreDrillPolicy.newBuilder()
                .setEvery(everyText())
                .setProbeQuery(probe.map(Probe::query).orElse(null))
                .setProbeExpected(probe.map(Probe::expected).orElse(null))
                .build();
    }
}
