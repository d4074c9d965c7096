package io.tideline.core.storage;

import io.tideline.core.ids.BackupId;
import io.tideline.core.wal.Lsn;
import io.tideline.core.wal.WalSegmentName;
import java.util.Objects;

/**
 * What an object in an instance bucket is, recovered from its key by {@link BucketLayout#parse}.
 * Retention and restore decide from this, never from string matching of their own.
 */
public sealed interface ObjectKind {

    /** One object of a base backup's data stream, numbered from 1 in stream order. */
    record BackupPart(BackupId backupId, int partNumber) implements ObjectKind {
        public BackupPart {
            Objects.requireNonNull(backupId, "backupId");
            if (partNumber < 1 || partNumber > BucketLayout.MAX_BACKUP_PARTS) {
                throw new IllegalArgumentException("backup part number must be 1.." + BucketLayout.MAX_BACKUP_PARTS + ", not " + partNumber);
            }
        }
    }

    /** A base backup's manifest: its presence means the backup is complete. */
    record BackupManifest(BackupId backupId) implements ObjectKind {
        public BackupManifest {
            Objects.requireNonNull(backupId, "backupId");
        }
    }

    /** A complete WAL segment, zstd-compressed. */
    record WalSegment(WalSegmentName segment) implements ObjectKind {
        public WalSegment {
            Objects.requireNonNull(segment, "segment");
        }
    }

    /** The segment being filled, replaced at every flush and removed once the complete one is stored. */
    record WalPartial(WalSegmentName segment) implements ObjectKind {
        public WalPartial {
            Objects.requireNonNull(segment, "segment");
        }
    }

    /** A timeline history file ({@code 00000002.history}); never overwritten. */
    record TimelineHistory(long timeline) implements ObjectKind {
        public TimelineHistory {
            if (timeline < 1 || timeline > 0xFFFFFFFFL) {
                throw new IllegalArgumentException("timeline out of range: " + timeline);
            }
        }
    }

    /** The undo finder's index of one WAL object (a complete segment, or the partial of one); expires with it. */
    record ChangeIndex(WalSegmentName segment, boolean partial) implements ObjectKind {
        public ChangeIndex {
            Objects.requireNonNull(segment, "segment");
        }
    }

    /** Relation names of every database, taken when the server's WAL insert position was {@code lsn}. */
    record CatalogSnapshot(Lsn lsn) implements ObjectKind {
        public CatalogSnapshot {
            Objects.requireNonNull(lsn, "lsn");
        }
    }

    /** Anything else. Kept, never deleted by retention: Tideline does not touch what it does not understand. */
    record Unknown(String key) implements ObjectKind {
        public Unknown {
            Objects.requireNonNull(key, "key");
        }
    }
}
