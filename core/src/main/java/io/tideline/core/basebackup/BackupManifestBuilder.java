package io.tideline.core.basebackup;

import io.tideline.core.ids.BackupId;
import io.tideline.core.ids.InstanceId;
import io.tideline.core.wal.Lsn;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Assembles a {@link BackupManifest} by name rather than by position. What a writer never chooses is
 * filled in: the current format version, zstd, and the stored size as the sum of the parts. Every
 * value is checked once, by the manifest itself, in {@link #build()}.
 */
public final class BackupManifestBuilder {

    private final BackupId backupId;
    private final InstanceId instanceId;
    private final String commandId;
    private long timeline;
    private Lsn startLsn;
    private Lsn endLsn;
    private Instant startedAt;
    private Instant finishedAt;
    private int postgresVersion;
    private long systemIdentifier;
    private long walSegmentSize;
    private long rawBytes;
    private List<BackupManifest.Part> parts = List.of();
    private List<BackupManifest.Tablespace> tablespaces = List.of();

    BackupManifestBuilder(BackupId backupId, InstanceId instanceId, String commandId) {
        this.backupId = Objects.requireNonNull(backupId, "backupId");
        this.instanceId = Objects.requireNonNull(instanceId, "instanceId");
        this.commandId = commandId;
    }

    static BackupManifestBuilder from(BackupManifest m) {
        return new BackupManifestBuilder(m.backupId(), m.instanceId(), m.commandId())
                .timeline(m.timeline()).startLsn(m.startLsn()).endLsn(m.endLsn())
                .startedAt(m.startedAt()).finishedAt(m.finishedAt())
                .postgresVersion(m.postgresVersion()).systemIdentifier(m.systemIdentifier())
                .walSegmentSize(m.walSegmentSize()).rawBytes(m.rawBytes())
                .parts(m.parts()).tablespaces(m.tablespaces());
    }

    /** The timeline the backup started on. */
    public BackupManifestBuilder timeline(long timeline) {
        this.timeline = timeline;
        return this;
    }

    /** Where WAL replay must begin. */
    public BackupManifestBuilder startLsn(Lsn startLsn) {
        this.startLsn = startLsn;
        return this;
    }

    /** Where the backup becomes consistent. */
    public BackupManifestBuilder endLsn(Lsn endLsn) {
        this.endLsn = endLsn;
        return this;
    }

    public BackupManifestBuilder startedAt(Instant startedAt) {
        this.startedAt = startedAt;
        return this;
    }

    public BackupManifestBuilder finishedAt(Instant finishedAt) {
        this.finishedAt = finishedAt;
        return this;
    }

    /** {@code server_version_num} of the source, e.g. 150018. */
    public BackupManifestBuilder postgresVersion(int postgresVersion) {
        this.postgresVersion = postgresVersion;
        return this;
    }

    /** The source cluster's system identifier, unsigned. */
    public BackupManifestBuilder systemIdentifier(long systemIdentifier) {
        this.systemIdentifier = systemIdentifier;
        return this;
    }

    public BackupManifestBuilder walSegmentSize(long walSegmentSize) {
        this.walSegmentSize = walSegmentSize;
        return this;
    }

    /** Uncompressed size of the data stream. */
    public BackupManifestBuilder rawBytes(long rawBytes) {
        this.rawBytes = rawBytes;
        return this;
    }

    /** The data stream's objects in stream order; the manifest's stored size is their sum. */
    public BackupManifestBuilder parts(List<BackupManifest.Part> parts) {
        this.parts = List.copyOf(parts);
        return this;
    }

    public BackupManifestBuilder tablespaces(List<BackupManifest.Tablespace> tablespaces) {
        this.tablespaces = List.copyOf(tablespaces);
        return this;
    }

    /** The manifest; an {@link IllegalArgumentException} names what is missing or contradictory. */
    public BackupManifest build() {
        long storedBytes = parts.stream().mapToLong(BackupManifest.Part::storedBytes).sum();
        return new BackupManifest(BackupManifest.FORMAT_VERSION, backupId, instanceId, commandId, timeline, startLsn, endLsn,
                startedAt, finishedAt, postgresVersion, systemIdentifier, walSegmentSize, rawBytes, storedBytes,
                BackupManifest.ZSTD, parts, tablespaces);
    }
}
