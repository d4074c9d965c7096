package io.tideline.core.window;

import io.tideline.core.ids.BackupId;
import io.tideline.core.storage.BucketLayout;
import io.tideline.core.wal.Lsn;
import io.tideline.core.wal.WalSegmentName;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A small language for bucket contents in tests: times in minutes after {@link #T0}, WAL positions as
 * (segment number, byte offset) with 16 MB segments.
 */
final class WindowFixture {

    static final Instant T0 = Instant.parse("2026-11-01T00:00:00Z");
    static final long SEG = WalSegmentName.DEFAULT_SEGMENT_SIZE;
    static final BucketLayout LAYOUT = BucketLayout.DEFAULT;

    private final BucketInventory.Builder builder = BucketInventory.builder();

    static WindowFixture bucket() {
        return new WindowFixture();
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
    WindowFixture segments(long timeline, long from, long to) {
        for (long n = from; n <= to; n++) {
            segment(timeline, n, 10 * n);
        }
        return this;
    }

    WindowFixture segment(long timeline, long n, long storedMinute) {
        WalSegmentName s = name(timeline, n);
        builder.wal(WalEntry.complete(s, at(storedMinute), new ListedObject(LAYOUT.walSegment(s), 1000, at(storedMinute))));
        return this;
    }

    WindowFixture partial(long timeline, long n, long endOffset, long storedMinute) {
        WalSegmentName s = name(timeline, n);
        builder.wal(WalEntry.partial(s, lsn(n, endOffset), at(storedMinute),
                new ListedObject(LAYOUT.walPartial(s), 100, at(storedMinute))));
        return this;
    }

    WindowFixture backup(String suffix, long timeline, Lsn start, Lsn end, long startMinute, long finishMinute) {
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

    WindowFixture incomplete(String suffix, long startMinute, long lastWriteMinute) {
        BackupId id = id(suffix, startMinute);
        builder.incompleteBackup(new IncompleteBackup(id, List.of(
                new ListedObject(LAYOUT.backupPart(id, 1), 5000, at(lastWriteMinute)))));
        return this;
    }

    WindowFixture branch(long timeline, long parent, Lsn at) {
        builder.branch(new TimelineBranch(timeline, parent, at));
        return this;
    }

    WindowFixture unexplained(String key, long minute) {
        builder.unexplained(new ListedObject(key, 1, at(minute)));
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
