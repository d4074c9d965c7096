package io.tideline.archiver.basebackup;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.convert.format.ReadableBytes;
import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalLong;

/**
 * {@code tideline.archiver.backup.*}: binds the base-backup settings; defaults are the constants of
 * {@link BackupSettings}, validation happens in {@link #toSettings()} so a bad value fails the start
 * with a message naming the property.
 */
@ConfigurationProperties(BackupConfiguration.PREFIX)
public class BackupConfiguration {

    public static final String PREFIX = "tideline.archiver.backup";
    /** {@code false} switches base backups off (the WAL streamer of the same service keeps running). */
    public static final String ENABLED = PREFIX + ".enabled";
    /**
     * The consumer group of backup commands. Not the WAL streamer's group: a member busy with a
     * backup for minutes would hold up every rebalance of the group, and with it the hand-over of WAL
     * streams when a replica dies.
     */
    public static final String GROUP_ID = "tideline-archiver-backups";

    private boolean enabled = true;
    private Path postgresBinDir = BackupSettings.DEFAULT_POSTGRES_BIN_DIR;
    private int compressionLevel = BackupSettings.DEFAULT_COMPRESSION_LEVEL;
    private int compressionWorkers = BackupSettings.DEFAULT_COMPRESSION_WORKERS;
    private long partRawBytes = BackupSettings.DEFAULT_PART_RAW_BYTES;
    private Long maxRateKbPerSecond;
    private boolean fastCheckpoint = BackupSettings.DEFAULT_FAST_CHECKPOINT;
    private Duration walWaitTimeout = BackupSettings.DEFAULT_WAL_WAIT_TIMEOUT;
    private Duration walPollInitial = BackupSettings.DEFAULT_WAL_POLL_INITIAL;
    private Duration walPollMax = BackupSettings.DEFAULT_WAL_POLL_MAX;
    private Duration progressInterval = BackupSettings.DEFAULT_PROGRESS_INTERVAL;
    private Duration registryCatchUpTimeout = BackupSettings.DEFAULT_REGISTRY_CATCH_UP_TIMEOUT;
    private Duration unknownInstanceGrace = BackupSettings.DEFAULT_UNKNOWN_INSTANCE_GRACE;
    private Duration connectTimeout = BackupSettings.DEFAULT_CONNECT_TIMEOUT;

    public BackupSettings toSettings() {
        return new BackupSettings(postgresBinDir, compressionLevel, compressionWorkers, partRawBytes,
                maxRateKbPerSecond == null ? OptionalLong.empty() : OptionalLong.of(maxRateKbPerSecond), fastCheckpoint,
                walWaitTimeout, walPollInitial, walPollMax, progressInterval, registryCatchUpTimeout,
                unknownInstanceGrace, connectTimeout);
    }

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public Path getPostgresBinDir() {
        return postgresBinDir;
    }

    public void setPostgresBinDir(Path postgresBinDir) {
        this.postgresBinDir = postgresBinDir;
    }

    public int getCompressionLevel() {
        return compressionLevel;
    }

    public void setCompressionLevel(int compressionLevel) {
        this.compressionLevel = compressionLevel;
    }

    public int getCompressionWorkers() {
        return compressionWorkers;
    }

    public void setCompressionWorkers(int compressionWorkers) {
        this.compressionWorkers = compressionWorkers;
    }

    public long getPartRawBytes() {
        return partRawBytes;
    }

    /** A number of bytes, or readable: {@code 256MB} (units of 1024). */
    public void setPartRawBytes(@ReadableBytes long partRawBytes) {
        this.partRawBytes = partRawBytes;
    }

    public Long getMaxRateKbPerSecond() {
        return maxRateKbPerSecond;
    }

    public void setMaxRateKbPerSecond(Long maxRateKbPerSecond) {
        this.maxRateKbPerSecond = maxRateKbPerSecond;
    }

    public boolean isFastCheckpoint() {
        return fastCheckpoint;
    }

    public void setFastCheckpoint(boolean fastCheckpoint) {
        this.fastCheckpoint = fastCheckpoint;
    }

    public Duration getWalWaitTimeout() {
        return walWaitTimeout;
    }

    public void setWalWaitTimeout(Duration walWaitTimeout) {
        this.walWaitTimeout = walWaitTimeout;
    }

    public Duration getWalPollInitial() {
        return walPollInitial;
    }

    public void setWalPollInitial(Duration walPollInitial) {
        this.walPollInitial = walPollInitial;
    }

    public Duration getWalPollMax() {
        return walPollMax;
    }

    public void setWalPollMax(Duration walPollMax) {
        this.walPollMax = walPollMax;
    }

    public Duration getProgressInterval() {
        return progressInterval;
    }

    public void setProgressInterval(Duration progressInterval) {
        this.progressInterval = progressInterval;
    }

    public Duration getRegistryCatchUpTimeout() {
        return registryCatchUpTimeout;
    }

    public void setRegistryCatchUpTimeout(Duration registryCatchUpTimeout) {
        this.registryCatchUpTimeout = registryCatchUpTimeout;
    }

    public Duration getUnknownInstanceGrace() {
        return unknownInstanceGrace;
    }

    public void setUnknownInstanceGrace(Duration unknownInstanceGrace) {
        this.unknownInstanceGrace = unknownInstanceGrace;
    }

    public Duration getConnectTimeout() {
        return connectTimeout;
    }

    public void setConnectTimeout(Duration connectTimeout) {
        this.connectTimeout = connectTimeout;
    }
}
