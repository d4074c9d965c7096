package io.tideline.archiver;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.tideline.archiver.wal.WalSettings;
import java.time.Duration;

/**
 * {@code tideline.archiver.*}. Defaults are the constants of the settings records; validation
 * happens when the settings are built ({@link Wal#toSettings()}), so a bad value fails the start
 * with a message naming the property.
 */
@ConfigurationProperties(ArchiverConfig.PREFIX)
public class ArchiverConfig {

    public static final String PREFIX = "tideline.archiver";
    /** {@code false} switches every bean of the archiver off (the embedded runtime may run without it). */
    public static final String ENABLED = PREFIX + ".enabled";
    /** The archiver's consumer group: its replicas share the partitions of the instances topic. */
    public static final String GROUP_ID = "tideline-archiver";

    private boolean enabled = true;

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    /** {@code tideline.archiver.wal.*}: continuous WAL archiving. */
    @ConfigurationProperties(Wal.PREFIX)
    public static class Wal {

        public static final String PREFIX = "wal";
        /** {@code false} switches WAL streaming off (e.g. tests of base backups alone). */
        public static final String ENABLED = ArchiverConfig.PREFIX + "." + PREFIX + ".enabled";

        private boolean enabled = true;
        private Duration flushInterval = WalSettings.DEFAULT_FLUSH_INTERVAL;
        private Duration statusInterval = WalSettings.DEFAULT_STATUS_INTERVAL;
        private int compressionLevel = WalSettings.DEFAULT_COMPRESSION_LEVEL;
        private String slotName = WalSettings.DEFAULT_SLOT_NAME;
        private Duration retryInitialDelay = WalSettings.DEFAULT_RETRY_INITIAL_DELAY;
        private Duration retryMaxDelay = WalSettings.DEFAULT_RETRY_MAX_DELAY;
        private Duration idlePoll = WalSettings.DEFAULT_IDLE_POLL;
        private Duration connectTimeout = WalSettings.DEFAULT_CONNECT_TIMEOUT;
        private Duration socketTimeout = WalSettings.DEFAULT_SOCKET_TIMEOUT;
        private Duration stopTimeout = WalSettings.DEFAULT_STOP_TIMEOUT;
        private Duration idleRelease = WalSettings.DEFAULT_IDLE_RELEASE;
        private Duration heartbeatInterval = WalSettings.DEFAULT_HEARTBEAT_INTERVAL;

        public WalSettings toSettings() {
            return new WalSettings(flushInterval, statusInterval, compressionLevel, slotName, retryInitialDelay,
                    retryMaxDelay, idlePoll, connectTimeout, socketTimeout, stopTimeout, idleRelease, heartbeatInterval);
        }

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public Duration getFlushInterval() {
            return flushInterval;
        }

        public void setFlushInterval(Duration flushInterval) {
            this.flushInterval = flushInterval;
        }

        public Duration getStatusInterval() {
            return statusInterval;
        }

        public void setStatusInterval(Duration statusInterval) {
            this.statusInterval = statusInterval;
        }

        public int getCompressionLevel() {
            return compressionLevel;
        }

        public void setCompressionLevel(int compressionLevel) {
            this.compressionLevel = compressionLevel;
        }

        public String getSlotName() {
            return slotName;
        }

        public void setSlotName(String slotName) {
            this.slotName = slotName;
        }

        public Duration getRetryInitialDelay() {
            return retryInitialDelay;
        }

        public void setRetryInitialDelay(Duration retryInitialDelay) {
            this.retryInitialDelay = retryInitialDelay;
        }

        public Duration getRetryMaxDelay() {
            return retryMaxDelay;
        }

        public void setRetryMaxDelay(Duration retryMaxDelay) {
            this.retryMaxDelay = retryMaxDelay;
        }

        public Duration getIdlePoll() {
            return idlePoll;
        }

        public void setIdlePoll(Duration idlePoll) {
            this.idlePoll = idlePoll;
        }

        public Duration getConnectTimeout() {
            return connectTimeout;
        }

        public void setConnectTimeout(Duration connectTimeout) {
            this.connectTimeout = connectTimeout;
        }

        public Duration getSocketTimeout() {
            return socketTimeout;
        }

        public void setSocketTimeout(Duration socketTimeout) {
            this.socketTimeout = socketTimeout;
        }

        public Duration getStopTimeout() {
            return stopTimeout;
        }

        public void setStopTimeout(Duration stopTimeout) {
            this.stopTimeout = stopTimeout;
        }

        public Duration getIdleRelease() {
            return idleRelease;
        }

        public void setIdleRelease(Duration idleRelease) {
            this.idleRelease = idleRelease;
        }

        public Duration getHeartbeatInterval() {
            return heartbeatInterval;
        }

        public void setHeartbeatInterval(Duration heartbeatInterval) {
            this.heartbeatInterval = heartbeatInterval;
        }
    }
}
