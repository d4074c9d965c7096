package io.tideline.core.storage;

import io.tideline.core.ids.BackupId;
import io.tideline.core.ids.InstanceId;
import io.tideline.core.wal.Lsn;
import io.tideline.core.wal.WalSegmentName;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The ONE place that knows object keys of an instance bucket, both ways: every key Tideline writes
 * is computed here, and {@link #parse} tells what a listed key is.
 *
 * <pre>
 * tideline-&lt;instance-id&gt;                               the bucket
 * basebackups/&lt;backup-id&gt;/data.tar.zst.part0001       the backup's tar stream, zstd, cut into objects
 * basebackups/&lt;backup-id&gt;/manifest.json               written last
 * wal/&lt;timeline&gt;/&lt;segment&gt;.zst                       complete segment
 * wal/&lt;timeline&gt;/&lt;segment&gt;.partial.zst               the segment being filled
 * wal/&lt;timeline&gt;/&lt;timeline&gt;.history                  timeline history
 * changes/&lt;timeline&gt;/&lt;segment&gt;.json.zst              undo-finder index of the complete segment (expired with it)
 * changes/&lt;timeline&gt;/&lt;segment&gt;.partial.json.zst      the same for the segment being filled
 * catalog/&lt;lsn as 16 hex digits&gt;.json               relation names (relfilenode → schema.table) taken at that position
 * </pre>
 *
 * Timelines are 8 upper-case hex digits, as PostgreSQL names them. A layout is bound to one
 * {@code wal_segment_size}, because a segment name means a position only for a given size.
 *
 * @param walSegmentSize the instance's {@code wal_segment_size} in bytes
 */
public record BucketLayout(long walSegmentSize) {

    /** The layout of instances created with PostgreSQL's default 16 MiB segments. */
    public static final BucketLayout DEFAULT = new BucketLayout(WalSegmentName.DEFAULT_SEGMENT_SIZE);

    public static final String BUCKET_PREFIX = "tideline-";
    public static final String BASEBACKUPS = "basebackups/";
    public static final String WAL = "wal/";
    /** The undo finder's index, one object per WAL object, beside {@link #WAL} (see core.changes). */
    public static final String CHANGES = "changes/";
    /** Catalog snapshots that name the relation files in the index (see core.changes). */
    public static final String CATALOG = "catalog/";
    /** Named restore points ({@code restore-points/<name>.json}, see {@code RestorePoint}). */
    public static final String RESTORE_POINTS = "restore-points/";
    public static final String MANIFEST_NAME = "manifest.json";
    public static final String DATA_PART_NAME = "data.tar.zst.part";
    /** Four digits in part names: 9,999 objects of a few GiB each is far beyond any instance Tideline backs up. */
    public static final int MAX_BACKUP_PARTS = 9_999;

    private static final Pattern BACKUP_KEY = Pattern.compile("basebackups/([^/]+)/(?:data\\.tar\\.zst\\.part(\\d{4})|(manifest\\.json))");
    private static final Pattern CHANGES_KEY = Pattern.compile("changes/([0-9A-F]{8})/([0-9A-F]{24})(\\.partial)?\\.json\\.zst");
    private static final Pattern CATALOG_KEY = Pattern.compile("catalog/([0-9A-F]{16})\\.json");
    private static final Pattern WAL_KEY = Pattern.compile("wal/([0-9A-F]{8})/(?:([0-9A-F]{24})(\\.partial)?\\.zst|([0-9A-F]{8})\\.history)");

    public BucketLayout {
        // Reuses WalSegmentName's validation of the size (power of two, 1 MiB..1 GiB).
        new WalSegmentName(1, 0, walSegmentSize);
    }

    public static BucketLayout forSegmentSize(long walSegmentSize) {
        return new BucketLayout(walSegmentSize);
    }

    /** {@code tideline-<instance-id>}; instance ids are restricted so that this is a valid bucket name. */
    public static String bucketName(InstanceId instance) {
        return BUCKET_PREFIX + instance.value();
    }

    /** The instance a bucket belongs to, if it is a Tideline instance bucket. */
    public static Optional<InstanceId> instanceOfBucket(String bucket) {
        if (bucket == null || !bucket.startsWith(BUCKET_PREFIX)) {
            return Optional.empty();
        }
        try {
            return Optional.of(InstanceId.of(bucket.substring(BUCKET_PREFIX.length())));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** Every object of one backup lives under this prefix (listing it finds its parts and manifest). */
    public String backupPrefix(BackupId backup) {
        return BASEBACKUPS + backup.value() + "/";
    }

    public String backupPart(BackupId backup, int partNumber) {
        return keyOf(new ObjectKind.BackupPart(backup, partNumber));
    }

    public String backupManifest(BackupId backup) {
        return keyOf(new ObjectKind.BackupManifest(backup));
    }

    /** The prefix of all WAL of all timelines. */
    public String walPrefix() {
        return WAL;
    }

    public String walTimelinePrefix(long timeline) {
        return WAL + timelineHex(timeline) + "/";
    }

    public String walSegment(WalSegmentName segment) {
        return keyOf(new ObjectKind.WalSegment(segment));
    }

    public String walPartial(WalSegmentName segment) {
        return keyOf(new ObjectKind.WalPartial(segment));
    }

    /** Where {@code tideline restore-point create} records the restore point {@code name}. */
    public String restorePoint(String name) {
        return RESTORE_POINTS + name + ".json";
    }

    public String timelineHistory(long timeline) {
        return keyOf(new ObjectKind.TimelineHistory(timeline));
    }

    /** The undo finder's index of a complete segment, or of the partial of the segment being filled. */
    public String changeIndex(WalSegmentName segment, boolean partial) {
        return keyOf(new ObjectKind.ChangeIndex(segment, partial));
    }

    public String changesPrefix() {
        return CHANGES;
    }

    /** A catalog snapshot taken when the server's WAL insert position was {@code lsn}. */
    public String catalogSnapshot(Lsn lsn) {
        return keyOf(new ObjectKind.CatalogSnapshot(lsn));
    }

    public String catalogPrefix() {
        return CATALOG;
    }

    /** The key of {@code kind}; the exact inverse of {@link #parse}. */
    public String keyOf(ObjectKind kind) {
        if (kind instanceof ObjectKind.BackupPart p) {
            return backupPrefix(p.backupId()) + DATA_PART_NAME + String.format("%04d", p.partNumber());
        } else if (kind instanceof ObjectKind.BackupManifest m) {
            return backupPrefix(m.backupId()) + MANIFEST_NAME;
        } else if (kind instanceof ObjectKind.WalSegment s) {
            return walTimelinePrefix(s.segment().timeline()) + checkedSize(s.segment()) + ".zst";
        } else if (kind instanceof ObjectKind.WalPartial s) {
            return walTimelinePrefix(s.segment().timeline()) + checkedSize(s.segment()) + ".partial.zst";
        } else if (kind instanceof ObjectKind.TimelineHistory h) {
            return walTimelinePrefix(h.timeline()) + timelineHex(h.timeline()) + ".history";
        } else if (kind instanceof ObjectKind.ChangeIndex c) {
            return CHANGES + timelineHex(c.segment().timeline()) + "/" + checkedSize(c.segment()) + (c.partial() ? ".partial" : "") + ".json.zst";
        } else if (kind instanceof ObjectKind.CatalogSnapshot c) {
            return CATALOG + String.format("%016X", c.lsn().value()) + ".json";
        } else if (kind instanceof ObjectKind.Unknown u) {
            return u.key();
        }
        throw new IllegalArgumentException("unhandled object kind " + kind);
    }

    /**
     * What {@code key} is. A key that is almost right (a segment filed under another timeline's
     * folder, a malformed backup id, a part number of 0) is {@link ObjectKind.Unknown}: nothing
     * Tideline would have written, so nothing it may act on.
     */
    public ObjectKind parse(String key) {
        Matcher backup = BACKUP_KEY.matcher(key);
        if (backup.matches()) {
            try {
                BackupId id = BackupId.parse(backup.group(1));
                if (backup.group(3) != null) {
                    return new ObjectKind.BackupManifest(id);
                }
                return new ObjectKind.BackupPart(id, Integer.parseInt(backup.group(2)));
            } catch (IllegalArgumentException e) {
                return new ObjectKind.Unknown(key);
            }
        }
        Matcher wal = WAL_KEY.matcher(key);
        if (wal.matches()) {
            long folderTimeline = Long.parseLong(wal.group(1), 16);
            try {
                if (wal.group(4) != null) {
                    long timeline = Long.parseLong(wal.group(4), 16);
                    return timeline == folderTimeline ? new ObjectKind.TimelineHistory(timeline) : new ObjectKind.Unknown(key);
                }
                WalSegmentName segment = WalSegmentName.parse(wal.group(2), walSegmentSize);
                if (segment.timeline() != folderTimeline) {
                    return new ObjectKind.Unknown(key);
                }
                return wal.group(3) != null ? new ObjectKind.WalPartial(segment) : new ObjectKind.WalSegment(segment);
            } catch (IllegalArgumentException e) {
                return new ObjectKind.Unknown(key);
            }
        }
        Matcher changes = CHANGES_KEY.matcher(key);
        if (changes.matches()) {
            try {
                WalSegmentName segment = WalSegmentName.parse(changes.group(2), walSegmentSize);
                if (segment.timeline() == Long.parseLong(changes.group(1), 16)) {
                    return new ObjectKind.ChangeIndex(segment, changes.group(3) != null);
                }
            } catch (IllegalArgumentException e) {
                return new ObjectKind.Unknown(key);
            }
            return new ObjectKind.Unknown(key);
        }
        Matcher catalog = CATALOG_KEY.matcher(key);
        if (catalog.matches()) {
            return new ObjectKind.CatalogSnapshot(new Lsn(Long.parseUnsignedLong(catalog.group(1), 16)));
        }
        return new ObjectKind.Unknown(key);
    }

    private WalSegmentName checkedSize(WalSegmentName segment) {
        if (segment.segmentSize() != walSegmentSize) {
            throw new IllegalArgumentException("segment " + segment + " is for wal_segment_size " + segment.segmentSize()
                    + " but this bucket layout is for " + walSegmentSize);
        }
        return segment;
    }

    private static String timelineHex(long timeline) {
        if (timeline < 1 || timeline > 0xFFFFFFFFL) {
            throw new IllegalArgumentException("timeline out of range: " + timeline);
        }
        return String.format("%08X", timeline);
    }
}
