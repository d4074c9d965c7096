package io.tideline.core.rto;

import io.tideline.schemas.RestoreCompleted;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The replay rates restores and restore drills measured ({@code RestoreCompleted} / {@code RestoreDrillRun}
 * {@code walBytesReplayed / walReplayMillis}), per instance and
 * fleet-wide, and the rate to plan with: the slowest of the instance's last {@value #KEPT} measurements, else the
 * slowest of the fleet's last {@value #KEPT}, else the configured default. The slowest, not the mean: a budget is a
 * promise, and the next restore may be as slow as the slowest recent one. A replay of less than
 * {@code minMeasuredBytes} is not counted: its time is mostly the server's start and end, not replay, and would
 * make the rate look far slower than it is. Pure and thread-safe; the reading of the events is the caller's.
 */
public final class ReplayRates {

    /** Measurements kept per instance and fleet-wide. */
    public static final int KEPT = 5;
    /** The default before anything was measured: 16 MiB/s, well below what one core replays on an SSD. */
    public static final long DEFAULT_BYTES_PER_SECOND = 16L * 1024 * 1024;
    /** Replays of less WAL than this (4 segments of 16 MiB) are not measurements. */
    public static final long DEFAULT_MIN_MEASURED_BYTES = 64L * 1024 * 1024;

    /** One replay that ran: {@code bytes} of WAL in {@code millis}. */
    public record Measurement(String instanceId, long bytes, long millis, Instant at) {
        public Measurement {
            Objects.requireNonNull(instanceId, "instanceId");
            Objects.requireNonNull(at, "at");
        }

        double bytesPerSecond() {
            return bytes * 1000.0 / millis;
        }

        /** What a completed restore measured, when it did (the source instance's replay). */
        public static Optional<Measurement> of(RestoreCompleted c) {
            if (c.getWalBytesReplayed() == null || c.getWalReplayMillis() == null) {
                return Optional.empty();
            }
            return Optional.of(new Measurement(c.getInstanceId(), c.getWalBytesReplayed(), c.getWalReplayMillis(), c.getOccurredAt()));
        }
    }

    private final double defaultBytesPerSecond;
    private final long minMeasuredBytes;
    private final Map<String, Deque<Measurement>> byInstance = new HashMap<>();
    private final Deque<Measurement> fleet = new ArrayDeque<>();

    public ReplayRates(double defaultBytesPerSecond, long minMeasuredBytes) {
        new ReplayRate(defaultBytesPerSecond, 0); // checks it
        if (minMeasuredBytes < 0) {
            throw new IllegalArgumentException("minMeasuredBytes must not be negative: " + minMeasuredBytes);
        }
        this.defaultBytesPerSecond = defaultBytesPerSecond;
        this.minMeasuredBytes = minMeasuredBytes;
    }

    public static ReplayRates withDefaults() {
        return new ReplayRates(DEFAULT_BYTES_PER_SECOND, DEFAULT_MIN_MEASURED_BYTES);
    }

    /** Counts {@code m} when it is a measurement (enough WAL, a positive time); returns whether it did. */
    public synchronized boolean record(Measurement m) {
        if (m.bytes() < Math.max(1, minMeasuredBytes) || m.millis() <= 0) {
            return false;
        }
        keep(byInstance.computeIfAbsent(m.instanceId(), i -> new ArrayDeque<>()), m);
        keep(fleet, m);
        return true;
    }

    public boolean record(RestoreCompleted completed) {
        return Measurement.of(completed).map(this::record).orElse(false);
    }

    /** Each run of a passed restore drill that measured its replay (the drilled instance's). */
    public void record(io.tideline.schemas.RestoreDrillCompleted drill) {
        for (io.tideline.schemas.RestoreDrillRun run : drill.getRuns()) {
            if (run.getWalBytesReplayed() != null && run.getWalReplayMillis() != null) {
                record(new Measurement(drill.getInstanceId(), run.getWalBytesReplayed(), run.getWalReplayMillis(), drill.getOccurredAt()));
            }
        }
    }

    /** The rate to plan {@code instanceId}'s replay with (see the class comment). */
    public synchronized ReplayRate rateFor(String instanceId) {
        Deque<Measurement> own = byInstance.get(instanceId);
        if (own != null && !own.isEmpty()) {
            return slowest(own);
        }
        if (!fleet.isEmpty()) {
            return slowest(fleet);
        }
        return new ReplayRate(defaultBytesPerSecond, 0);
    }

    private static void keep(Deque<Measurement> kept, Measurement m) {
        kept.addLast(m);
        while (kept.size() > KEPT) {
            kept.removeFirst();
        }
    }

    private static ReplayRate slowest(Deque<Measurement> kept) {
        double min = kept.stream().mapToDouble(Measurement::bytesPerSecond).min().orElseThrow();
        return new ReplayRate(min, kept.size());
    }
}
