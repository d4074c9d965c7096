package io.tideline.restore;

import io.micronaut.context.annotation.ConfigurationProperties;
import java.time.Duration;
import java.util.Optional;

/**
 * {@code tideline.restore.*}. Defaults are the named constants; a bad value fails the start naming the
 * property ({@link #validate()}).
 */
@ConfigurationProperties(RestoreConfiguration.PREFIX)
public class RestoreConfiguration {

    public static final String PREFIX = "tideline.restore";
    /** {@code false} switches every bean of the restore service off. */
    public static final String ENABLED = PREFIX + ".enabled";
    /** The restore service's consumer group: replicas share the partitions of the request topic. */
    public static final String GROUP_ID = "tideline-restore";

    public static final int DEFAULT_MAX_CONCURRENT_RESTORES = 2;
    /** Backup parts downloaded at once (each part is a separate object, so they can travel in parallel). */
    public static final int DEFAULT_DOWNLOAD_PARALLELISM = 4;
    /**
     * WAL segments fetched ahead of recovery (8 × 16 MiB = pgBackRest's default archive-get queue). A
     * local server's are kept in its WAL spool on disk; otherwise each costs one segment of memory.
     */
    public static final int DEFAULT_WAL_PREFETCH = 8;
    public static final Duration DEFAULT_PROMOTION_TIMEOUT = Duration.ofHours(2);
    public static final Duration DEFAULT_PROGRESS_INTERVAL = Duration.ofSeconds(2);
    /** How long a request waits for the fleet registry to know its source before it is called unknown. */
    public static final Duration DEFAULT_REGISTRY_WAIT = Duration.ofSeconds(5);
    public static final String DEFAULT_CURL = "curl";
    /**
     * A restore accepted but silent this long (no progress event; a running one reports at least every
     * {@code abandon-after / 3}) is taken as abandoned by a replica that stopped, and is failed cleanly.
     */
    public static final Duration DEFAULT_ABANDON_AFTER = Duration.ofSeconds(30);

    private boolean enabled = true;
    private int maxConcurrentRestores = DEFAULT_MAX_CONCURRENT_RESTORES;
    private int downloadParallelism = DEFAULT_DOWNLOAD_PARALLELISM;
    private int walPrefetch = DEFAULT_WAL_PREFETCH;
    private Duration promotionTimeout = DEFAULT_PROMOTION_TIMEOUT;
    private Duration progressInterval = DEFAULT_PROGRESS_INTERVAL;
    private Duration registryWait = DEFAULT_REGISTRY_WAIT;
    private String curl = DEFAULT_CURL;
    private Duration abandonAfter = DEFAULT_ABANDON_AFTER;
    private String walBaseUrl;

    /** Fails naming the property when a value makes no sense. */
    public void validate() {
        positive(maxConcurrentRestores, "max-concurrent-restores");
        positive(downloadParallelism, "download-parallelism");
        if (walPrefetch < 0) {
            throw new IllegalArgumentException(PREFIX + ".wal-prefetch must be 0 or more, not " + walPrefetch);
        }
        positive(promotionTimeout, "promotion-timeout");
        positive(progressInterval, "progress-interval");
        positive(abandonAfter, "abandon-after");
        if (abandonAfter.compareTo(progressInterval.multipliedBy(3)) < 0) {
            throw new IllegalArgumentException(PREFIX + ".abandon-after (" + abandonAfter + ") must be at least three "
                    + PREFIX + ".progress-interval (" + progressInterval + "), or running restores look abandoned");
        }
        if (registryWait.isNegative()) {
            throw new IllegalArgumentException(PREFIX + ".registry-wait must not be negative");
        }
        if (curl == null || curl.isBlank() || curl.contains("'") || curl.contains("\"")) {
            throw new IllegalArgumentException(PREFIX + ".curl must be a plain command or path, not '" + curl + "'");
        }
        if (walBaseUrl != null && !walBaseUrl.matches("https?://[A-Za-z0-9.:\\[\\]-]+(/[A-Za-z0-9._~/-]*)?")) {
            throw new IllegalArgumentException(PREFIX + ".wal-base-url must be a plain http(s) URL, not '" + walBaseUrl + "'");
        }
    }

    private static void positive(int value, String name) {
        if (value < 1) {
            throw new IllegalArgumentException(PREFIX + "." + name + " must be at least 1, not " + value);
        }
    }

    private static void positive(Duration value, String name) {
        if (value == null || value.isZero() || value.isNegative()) {
            throw new IllegalArgumentException(PREFIX + "." + name + " must be a positive duration, not " + value);
        }
    }

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public int getMaxConcurrentRestores() {
        return maxConcurrentRestores;
    }

    public void setMaxConcurrentRestores(int maxConcurrentRestores) {
        this.maxConcurrentRestores = maxConcurrentRestores;
    }

    public int getDownloadParallelism() {
        return downloadParallelism;
    }

    public void setDownloadParallelism(int downloadParallelism) {
        this.downloadParallelism = downloadParallelism;
    }

    public int getWalPrefetch() {
        return walPrefetch;
    }

    public void setWalPrefetch(int walPrefetch) {
        this.walPrefetch = walPrefetch;
    }

    public Duration getPromotionTimeout() {
        return promotionTimeout;
    }

    public void setPromotionTimeout(Duration promotionTimeout) {
        this.promotionTimeout = promotionTimeout;
    }

    public Duration getProgressInterval() {
        return progressInterval;
    }

    public void setProgressInterval(Duration progressInterval) {
        this.progressInterval = progressInterval;
    }

    public Duration getRegistryWait() {
        return registryWait;
    }

    public void setRegistryWait(Duration registryWait) {
        this.registryWait = registryWait;
    }

    public Duration getAbandonAfter() {
        return abandonAfter;
    }

    public void setAbandonAfter(Duration abandonAfter) {
        this.abandonAfter = abandonAfter;
    }

    public String getCurl() {
        return curl;
    }

    public void setCurl(String curl) {
        this.curl = curl;
    }

    /**
     * Where recovering servers reach this service's WAL endpoint; empty = {@code http://127.0.0.1:<HTTP port>}
     * (the local provisioner runs servers on this machine).
     */
    public Optional<String> getWalBaseUrl() {
        return Optional.ofNullable(walBaseUrl);
    }

    public void setWalBaseUrl(String walBaseUrl) {
        this.walBaseUrl = walBaseUrl;
    }
}
