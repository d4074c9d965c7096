package io.tideline.scheduler;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;
import io.tideline.core.ids.InstanceId;
import io.tideline.scheduler.registry.WindowPolicy;
import io.tideline.scheduler.window.BackupWindow;
import io.tideline.scheduler.window.WindowBand;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * {@code tideline.scheduler.*}.
 *
 * @param tick          how often due commands are computed and sent; a window is acted on at
 *                      most this late; default {@value #DEFAULT_TICK}
 * @param band          the part of the UTC day default windows are spread over, {@code HH:mm-HH:mm}
 *                      (may wrap midnight); default {@value #DEFAULT_BAND}, the whole day
 * @param windows       operator overrides, instance id to {@code HH:mm} UTC; they win over the window
 *                      a registration asked for
 * @param replayMaxWait how long to wait at startup for the replay of {@code tideline.backup-commands}
 *                      before emitting anyway; default {@value #DEFAULT_REPLAY_MAX_WAIT}
 */
@ConfigurationProperties(SchedulerConfiguration.PREFIX)
public record SchedulerConfiguration(
        @Bindable(defaultValue = DEFAULT_TICK) Duration tick,
        @Bindable(defaultValue = DEFAULT_BAND) String band,
        @Nullable Map<String, String> windows,
        @Bindable(defaultValue = DEFAULT_REPLAY_MAX_WAIT) Duration replayMaxWait) {

    public static final String PREFIX = "tideline.scheduler";
    public static final String DEFAULT_TICK = "30s";
    public static final String DEFAULT_BAND = "00:00-24:00";
    public static final String DEFAULT_REPLAY_MAX_WAIT = "5m";

    public SchedulerConfiguration {
        requirePositive(tick, "tick");
        requirePositive(replayMaxWait, "replay-max-wait");
        windows = windows == null ? Map.of() : Map.copyOf(windows);
        // parse now, so a typo stops the service at startup instead of silently spreading the instance
        windowPolicy(band, windows);
    }

    /** The defaults, for code and tests without a Micronaut context. */
    public static SchedulerConfiguration defaults() {
        return new SchedulerConfiguration(Duration.parse("PT" + DEFAULT_TICK.toUpperCase()), DEFAULT_BAND, Map.of(),
                Duration.parse("PT" + DEFAULT_REPLAY_MAX_WAIT.toUpperCase()));
    }

    public WindowPolicy windowPolicy() {
        return windowPolicy(band, windows);
    }

    private static WindowPolicy windowPolicy(String band, Map<String, String> windows) {
        WindowBand parsedBand;
        try {
            parsedBand = WindowBand.parse(band);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(PREFIX + ".band: " + e.getMessage(), e);
        }
        Map<InstanceId, BackupWindow> overrides = new HashMap<>();
        windows.forEach((id, window) -> {
            try {
                overrides.put(InstanceId.of(id), BackupWindow.parse(window));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(PREFIX + ".windows." + id + ": " + e.getMessage(), e);
            }
        });
        return new WindowPolicy(parsedBand, overrides);
    }

    private static void requirePositive(Duration value, String name) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(PREFIX + "." + name + " must be a positive duration, got " + value);
        }
    }
}
