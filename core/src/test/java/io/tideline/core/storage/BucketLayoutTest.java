package io.tideline.core.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tideline.core.ids.BackupId;
import io.tideline.core.ids.InstanceId;
import io.tideline.core.wal.Lsn;
import io.tideline.core.wal.WalSegmentName;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class BucketLayoutTest {

    private static final BucketLayout LAYOUT = BucketLayout.DEFAULT;
    private static final BackupId BACKUP = BackupId.parse("20261124T080102Z-3f9a");

    @Test
    void bucketNameIsTidelineDashInstanceAndInverts() {
        InstanceId instance = InstanceId.of("orders-db");
        assertEquals("tideline-orders-db", BucketLayout.bucketName(instance));
        assertEquals(Optional.of(instance), BucketLayout.instanceOfBucket("tideline-orders-db"));
        assertEquals(Optional.empty(), BucketLayout.instanceOfBucket("orders-db"));
        assertEquals(Optional.empty(), BucketLayout.instanceOfBucket("tideline-"));
    }

    @Test
    void keysFollowTheDesignedLayout() {
        WalSegmentName segment = WalSegmentName.parse("00000002000000010000003F", WalSegmentName.DEFAULT_SEGMENT_SIZE);
        assertEquals("basebackups/20261124T080102Z-3f9a/data.tar.zst.part0001", LAYOUT.backupPart(BACKUP, 1));
        assertEquals("basebackups/20261124T080102Z-3f9a/data.tar.zst.part0123", LAYOUT.backupPart(BACKUP, 123));
        assertEquals("basebackups/20261124T080102Z-3f9a/manifest.json", LAYOUT.backupManifest(BACKUP));
        assertEquals("basebackups/20261124T080102Z-3f9a/", LAYOUT.backupPrefix(BACKUP));
        assertEquals("wal/00000002/00000002000000010000003F.zst", LAYOUT.walSegment(segment));
        assertEquals("wal/00000002/00000002000000010000003F.partial.zst", LAYOUT.walPartial(segment));
        assertEquals("wal/0000000A/0000000A.history", LAYOUT.timelineHistory(10));
        assertEquals("wal/0000000A/", LAYOUT.walTimelinePrefix(10));
    }

    static Stream<ObjectKind> everyKind() {
        long size = WalSegmentName.DEFAULT_SEGMENT_SIZE;
        return Stream.of(
                new ObjectKind.BackupPart(BACKUP, 1),
                new ObjectKind.BackupPart(BACKUP, BucketLayout.MAX_BACKUP_PARTS),
                new ObjectKind.BackupManifest(BACKUP),
                new ObjectKind.WalSegment(new WalSegmentName(1, 0, size)),
                new ObjectKind.WalSegment(WalSegmentName.of(3, Lsn.parse("16/B374D848"), size)),
                new ObjectKind.WalSegment(new WalSegmentName(0xFFFFFFFFL, 0x7_0000_00FFL, size)),
                new ObjectKind.WalPartial(new WalSegmentName(1, 5, size)),
                new ObjectKind.TimelineHistory(2),
                new ObjectKind.TimelineHistory(0xFFFFFFFFL),
                new ObjectKind.Unknown("basebackups/notes.txt"));
    }

    @ParameterizedTest
    @MethodSource("everyKind")
    void everyKeyParsesBackToWhatItWasMadeFrom(ObjectKind kind) {
        assertEquals(kind, LAYOUT.parse(LAYOUT.keyOf(kind)));
    }

    @Test
    void segmentNamesDependOnTheSegmentSize() {
        BucketLayout oneMb = BucketLayout.forSegmentSize(1024 * 1024);
        WalSegmentName segment = new WalSegmentName(1, 4096 + 7, 1024 * 1024);
        String key = oneMb.walSegment(segment);
        assertEquals("wal/00000001/000000010000000100000007.zst", key);
        assertEquals(new ObjectKind.WalSegment(segment), oneMb.parse(key));
        // The default layout reads the same name as another position, so mixing sizes is refused.
        assertThrows(IllegalArgumentException.class, () -> LAYOUT.walSegment(segment));
        assertThrows(IllegalArgumentException.class, () -> BucketLayout.forSegmentSize(3 * 1024 * 1024));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "wal/00000002/000000010000000000000001.zst",          // segment filed under another timeline
            "wal/00000001/00000002.history",                      // history filed under another timeline
            "wal/00000001/000000010000000000000001",              // not compressed: not ours
            "wal/00000001/000000010000000000000001.zst.tmp",
            "wal/00000001/0000000100000000000001FF.zst",          // 0x1FF is beyond 256 segments of 16 MiB per log id
            "wal/00000000/000000000000000000000001.zst",          // timeline 0 does not exist
            "wal/00000001/000000010000000000000001.ZST",
            "wal/1/000000010000000000000001.zst",
            "basebackups/not-an-id/manifest.json",
            "basebackups/20261124T080102Z-3f9a/data.tar.zst.part0000",
            "basebackups/20261124T080102Z-3f9a/data.tar.zst.part1",
            "basebackups/20261124T080102Z-3f9a/other.json",
            "basebackups/20261124T080102Z-3f9a/",
            "tideline.txt",
            ""})
    void anythingElseIsUnknownAndKeptAsIs(String key) {
        ObjectKind kind = LAYOUT.parse(key);
        assertInstanceOf(ObjectKind.Unknown.class, kind);
        assertEquals(key, LAYOUT.keyOf(kind));
    }

    @Test
    void partNumbersAreBounded() {
        assertThrows(IllegalArgumentException.class, () -> LAYOUT.backupPart(BACKUP, 0));
        assertThrows(IllegalArgumentException.class, () -> LAYOUT.backupPart(BACKUP, BucketLayout.MAX_BACKUP_PARTS + 1));
    }

    @Test
    void walKeysSortByPositionWithinATimeline() {
        long size = WalSegmentName.DEFAULT_SEGMENT_SIZE;
        List<String> keys = Stream.of(new WalSegmentName(1, 255, size), new WalSegmentName(1, 256, size),
                new WalSegmentName(1, 3, size)).sorted().map(LAYOUT::walSegment).toList();
        assertEquals(keys.stream().sorted().toList(), keys, "listing order is WAL order");
    }
}
