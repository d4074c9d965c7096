package io.tideline.retention;

import io.tideline.core.ids.BackupId;
import io.tideline.core.storage.BucketLayout;
import io.tideline.core.wal.Lsn;
import io.tideline.core.wal.WalSegmentName;
import io.tideline.core.window.BackupEntry;
import io.tideline.core.window.BucketInventory;
import io.tideline.core.window.IncompleteBackup;
import io.tideline.core.window.ListedObject;
import io.tideline.core.window.TimelineBranch;
import io.tideline.core.window.WalEntry;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A small language for bucket contents in tests: times in minutes after {@link #T0}, WAL positions as
 * (segment number, byte offset) with 16 MB segments.
 */
final class RetentionFixture {

    static final Instant T0 = Instant.parse("2026-11-01T00:00:00Z");
    static final long SEG = WalSegmentName.DEFAULT_SEGMENT_SIZE;
    static final BucketLayout LAYOUT = BucketLayout.DEFAULT;

    private final BucketInventory.Builder builder = BucketInventory.builder();

    static RetentionFixture bucket() {
        return new RetentionFixture();
    }

    static Instant at(long minutes) {
        return T0.plus(Duration.ofMinutes(minutes));
    }

    static Lsn lsn(long segment, long offset) {
        return new Lsn(segment * SEG + offset);
    }

    static WalSegmentName name(long timeline, long segment) {
        return new WalSegmentName(timeline, segment, SEG);
    }

    /** The key of a backup part no manifest lists: Tideline's layout, explained by nothing. */
    static String stray(String name) {
        return LAYOUT.backupPart(BackupId.of(T0, "stray" + name), 9);
    }

    static BackupId id(String suffix, long startMinute) {
        return BackupId.of(at(startMinute), suffix);
    }

    /** Complete segments {@code from..to} of a timeline; segment n is stored at minute {@code 10 n}. */
    RetentionFixture segments(long timeline, long from, long to) {
        for (long n = from; n <= to; n++) {
            segment(timeline, n, 10 * n);
        }
        return this;
    }

    RetentionFixture segment(long timeline, long n, long storedMinute) {
        WalSegmentName s = name(timeline, n);
        builder.wal(WalEntry.complete(s, at(storedMinute), new ListedObject(LAYOUT.walSegment(s), 1000, at(storedMinute))));
        return this;
    }

    RetentionFixture partial(long timeline, long n, long endOffset, long storedMinute) {
        WalSegmentName s = name(timeline, n);
        builder.wal(WalEntry.partial(s, lsn(n, endOffset), at(storedMinute),
                new ListedObject(LAYOUT.walPartial(s), 100, at(storedMinute))));
        return this;
    }

    RetentionFixture backup(String suffix, long timeline, Lsn start, Lsn end, long startMinute, long finishMinute) {
        builder.backup(backupEntry(suffix, timeline, start, end, startMinute, finishMinute));
        return this;
    }

    static BackupEntry backupEntry(String suffix, long timeline, Lsn start, Lsn end, long startMinute, long finishMinute) {
        BackupId id = id(suffix, startMinute);
        return new BackupEntry(id, timeline, start, end, at(startMinute), at(finishMinute),
                new ListedObject(LAYOUT.backupManifest(id), 500, at(finishMinute)),
                List.of(new ListedObject(LAYOUT.backupPart(id, 1), 50_000, at(finishMinute)),
                        new ListedObject(LAYOUT.backupPart(id, 2), 10, at(finishMinute))));
    }

    RetentionFixture incomplete(String suffix, long startMinute, long lastWriteMinute) {
        return incomplete(suffix, startMinute, at(lastWriteMinute));
    }

    RetentionFixture incomplete(String suffix, long startMinute, Instant lastWrite) {
        BackupId id = id(suffix, startMinute);
        builder.incompleteBackup(new IncompleteBackup(id, List.of(
                new ListedObject(LAYOUT.backupPart(id, 1), 5000, at(startMinute)),
                new ListedObject(LAYOUT.backupPart(id, 2), 5000, lastWrite))));
        return this;
    }

    RetentionFixture branch(long timeline, long parent, Lsn at) {
        builder.branch(new TimelineBranch(timeline, parent, at));
        return this;
    }

    RetentionFixture unexplained(String key, long minute) {
        return unexplained(key, at(minute));
    }

    RetentionFixture unexplained(String key, Instant lastModified) {
        builder.unexplained(new ListedObject(key, 1, lastModified));
        return this;
    }

    /** A partial segment whose object was last written at {@code written}. */
    RetentionFixture partialWritten(long timeline, long n, long endOffset, Instant written) {
        WalSegmentName s = name(timeline, n);
        builder.wal(WalEntry.partial(s, lsn(n, endOffset), written,
                new ListedObject(LAYOUT.walPartial(s), 100, written)));
        return this;
    }

    BucketInventory build() {
        return builder.build();
    }

    @Override
    public String toString() {
        return "bucket";
    }
}
