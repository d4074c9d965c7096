package io.tideline.scheduler;

import static io.tideline.core.config.Defaults.duration;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;
import io.tideline.core.config.Require;
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
 * @param enabled       {@code false}: this process runs none of the scheduler's beans (no clock, no replay consumer),
 *                      e.g. {@code tideline agent}, whose class path holds every service; default true
 */
@ConfigurationProperties(SchedulerConfiguration.PREFIX)
public record SchedulerConfiguration(
        @Bindable(defaultValue = DEFAULT_TICK) Duration tick,
        @Bindable(defaultValue = DEFAULT_BAND) String band,
        @Nullable Map<String, String> windows,
        @Bindable(defaultValue = DEFAULT_REPLAY_MAX_WAIT) Duration replayMaxWait,
        @Bindable(defaultValue = "true") boolean enabled) {

    public static final String PREFIX = "tideline.scheduler";
    /** The switch ({@link #enabled()}): {@code false} starts none of the service's beans. */
    public static final String ENABLED = PREFIX + ".enabled";
    static final String DEFAULT_TICK = "30s";
    static final String DEFAULT_BAND = "00:00-24:00";
    static final String DEFAULT_REPLAY_MAX_WAIT = "5m";

    public SchedulerConfiguration {
        Require.positive(tick, PREFIX + ".tick");
        Require.positive(replayMaxWait, PREFIX + ".replay-max-wait");
        windows = windows == null ? Map.of() : Map.copyOf(windows);
        // parse now, so a typo stops the service at startup instead of silently spreading the instance
        windowPolicy(band, windows);
    }

    /** What an empty configuration binds, for code and tests without a Micronaut context. */
    public static SchedulerConfiguration defaults() {
        return new SchedulerConfiguration(duration(DEFAULT_TICK), DEFAULT_BAND, Map.of(), duration(DEFAULT_REPLAY_MAX_WAIT), true);
    }

    public WindowPolicy windowPolicy() {
        return windowPolicy(band, windows);
    }

    private static WindowPolicy windowPolicy(String band, Map<String, String> windows) {
        WindowBand parsedBand = Require.parsed(band, WindowBand::parse, PREFIX + ".band");
        Map<InstanceId, BackupWindow> overrides = new HashMap<>();
        windows.forEach((id, window) -> {
            String property = PREFIX + ".windows." + id;
            overrides.put(Require.parsed(id, InstanceId::of, property), Require.parsed(window, BackupWindow::parse, property));
        });
        return new WindowPolicy(parsedBand, overrides);
    }
}
