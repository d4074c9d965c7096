package io.tideline.restore;

import static io.tideline.core.config.Defaults.duration;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import io.tideline.core.config.Defaults;
import io.tideline.core.config.Require;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code tideline.restore.*}.
 *
 * @param maxConcurrentRestores restores this replica runs at once
 * @param downloadParallelism   backup parts downloaded at once (each part is a separate object, so they can
 *                              travel in parallel)
 * @param walPrefetch           WAL segments fetched ahead of recovery (8 × 16 MiB = pgBackRest's default
 *                              archive-get queue). A local server's are kept in its WAL spool on disk;
 *                              otherwise each costs one segment of memory. 0: none
 * @param promotionTimeout      how long recovery may take to reach its target and promote
 * @param progressInterval      how often a running restore publishes its progress
 * @param registryWait          how long a request waits for the fleet registry to know its source before it
 *                              is called unknown
 * @param curl                  the command recovering servers fetch WAL with
 * @param abandonAfter          a restore accepted but silent this long (no progress event; a running one
 *                              reports at least every {@code abandon-after / 3}) is taken as abandoned by a
 *                              replica that stopped, and is failed cleanly
 * @param walBaseUrl            where recovering servers reach this service's WAL endpoint; empty =
 *                              {@code http://127.0.0.1:<HTTP port>} (the local provisioner runs servers on
 *                              this machine)
 */
@ConfigurationProperties(RestoreConfiguration.PREFIX)
public record RestoreConfiguration(@Bindable(defaultValue = DEFAULT_MAX_CONCURRENT_RESTORES) int maxConcurrentRestores,
                                   @Bindable(defaultValue = DEFAULT_DOWNLOAD_PARALLELISM) int downloadParallelism,
                                   @Bindable(defaultValue = DEFAULT_WAL_PREFETCH) int walPrefetch,
                                   @Bindable(defaultValue = DEFAULT_PROMOTION_TIMEOUT) Duration promotionTimeout,
                                   @Bindable(defaultValue = DEFAULT_PROGRESS_INTERVAL) Duration progressInterval,
                                   @Bindable(defaultValue = DEFAULT_REGISTRY_WAIT) Duration registryWait,
                                   @Bindable(defaultValue = DEFAULT_CURL) String curl,
                                   @Bindable(defaultValue = DEFAULT_ABANDON_AFTER) Duration abandonAfter,
                                   Optional<String> walBaseUrl) {

    public static final String PREFIX = "tideline.restore";
    /** {@code false} switches every bean of the restore service off. */
    public static final String ENABLED = PREFIX + ".enabled";
    /** The restore service's consumer group: replicas share the partitions of the request topic. */
    public static final String GROUP_ID = "tideline-restore";

    static final String DEFAULT_MAX_CONCURRENT_RESTORES = "2";
    static final String DEFAULT_DOWNLOAD_PARALLELISM = "4";
    static final String DEFAULT_WAL_PREFETCH = "8";
    static final String DEFAULT_PROMOTION_TIMEOUT = "2h";
    static final String DEFAULT_PROGRESS_INTERVAL = "2s";
    static final String DEFAULT_REGISTRY_WAIT = "5s";
    static final String DEFAULT_CURL = "curl";
    static final String DEFAULT_ABANDON_AFTER = "30s";

    public RestoreConfiguration {
        Require.atLeast(maxConcurrentRestores, 1, PREFIX + ".max-concurrent-restores");
        Require.atLeast(downloadParallelism, 1, PREFIX + ".download-parallelism");
        Require.atLeast(walPrefetch, 0, PREFIX + ".wal-prefetch");
        Require.positive(promotionTimeout, PREFIX + ".promotion-timeout");
        Require.positive(progressInterval, PREFIX + ".progress-interval");
        Require.positive(abandonAfter, PREFIX + ".abandon-after");
        // a running restore reports every progress interval; fewer than three chances looks abandoned
        Require.atLeast(abandonAfter, "three " + PREFIX + ".progress-interval", progressInterval.multipliedBy(3),
                PREFIX + ".abandon-after");
        Require.notNegative(registryWait, PREFIX + ".registry-wait");
        // quoted into restore_command: a plain command or path only
        Require.that(curl != null && !curl.isBlank() && !curl.contains("'") && !curl.contains("\""), PREFIX + ".curl",
                "a plain command or path", curl);
        Objects.requireNonNull(walBaseUrl, "walBaseUrl");
        walBaseUrl.ifPresent(url -> Require.that(url.matches("https?://[A-Za-z0-9.:\\[\\]-]+(/[A-Za-z0-9._~/-]*)?"),
                PREFIX + ".wal-base-url", "a plain http(s) URL", url));
    }

    /** What an empty configuration binds, for code and tests without a Micronaut context. */
    public static RestoreConfiguration defaults() {
        return new RestoreConfiguration(Defaults.read(DEFAULT_MAX_CONCURRENT_RESTORES, Integer.class),
                Defaults.read(DEFAULT_DOWNLOAD_PARALLELISM, Integer.class), Defaults.read(DEFAULT_WAL_PREFETCH, Integer.class),
                duration(DEFAULT_PROMOTION_TIMEOUT), duration(DEFAULT_PROGRESS_INTERVAL), duration(DEFAULT_REGISTRY_WAIT),
                DEFAULT_CURL, duration(DEFAULT_ABANDON_AFTER), Optional.empty());
    }
}
