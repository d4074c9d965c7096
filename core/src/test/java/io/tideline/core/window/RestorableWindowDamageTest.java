package io.tideline.core.window;

import static io.tideline.core.window.WindowFixture.LAYOUT;
import static io.tideline.core.window.WindowFixture.at;
import static io.tideline.core.window.WindowFixture.bucket;
import static io.tideline.core.window.WindowFixture.id;
import static io.tideline.core.window.WindowFixture.lsn;
import static io.tideline.core.window.WindowFixture.name;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Issue 15: a damaged object is absent to the window, which is cut at it and says why. */
class RestorableWindowDamageTest {

    private static final String REASON = "its bytes hash to sha256 x, but its metadata records y";

    private static WindowFixture oneBackupSixSegments() {
        return bucket().backup("aaaa", 1, lsn(1, 0x100), lsn(2, 0x100), 12, 21).segments(1, 1, 6);
    }

    @Test
    void withoutDamageTheWindowIsTheListingsOne() {
        BucketInventory inventory = oneBackupSixSegments().build();
        assertEquals(RestorableWindow.of(inventory).ranges(), RestorableWindow.of(inventory, Damage.none()).ranges());
        assertEquals(List.of(new TimeRange(at(21), at(60))), RestorableWindow.of(inventory, Damage.none()).ranges());
    }

    @Test
    void aDamagedWalObjectAfterTheBackupCutsTheWindowBeforeIt() {
        BucketInventory inventory = oneBackupSixSegments().build();
        String damaged = LAYOUT.walSegment(name(1, 4));
        RestorableWindow window = RestorableWindow.of(inventory, Damage.of(Map.of(damaged, REASON)));
        assertEquals(List.of(new TimeRange(at(21), at(30))), window.ranges(), "ends with segment 3, the last before the damage");
        List<WalHole> holes = window.holesBetween(lsn(1, 0x100), lsn(7, 0));
        assertEquals(1, holes.size(), holes.toString());
        assertEquals(name(1, 4), holes.get(0).segment());
        assertEquals(lsn(4, 0), holes.get(0).from());
        assertEquals(lsn(5, 0), holes.get(0).resumes());
        assertTrue(holes.get(0).damaged().get(0).contains(damaged) && holes.get(0).damaged().get(0).contains(REASON), holes.toString());
    }

    @Test
    void aDamagedWalObjectTheBackupNeedsMakesItUnusableNamingTheObject() {
        BucketInventory inventory = oneBackupSixSegments().build();
        String damaged = LAYOUT.walSegment(name(1, 2));
        RestorableWindow window = RestorableWindow.of(inventory, Damage.of(Map.of(damaged, REASON)));
        assertTrue(window.isEmpty());
        String why = window.unusableBackups().get(0).reason();
        assertTrue(why.contains(damaged) && why.contains(REASON), why);
    }

    @Test
    void aDamagedBackupPartMakesThatBackupUnusableAndAnOlderOneStillServes() {
        BucketInventory inventory = oneBackupSixSegments().backup("bbbb", 1, lsn(4, 0x100), lsn(4, 0x900), 42, 45).build();
        String damaged = LAYOUT.backupPart(id("bbbb", 42), 1);
        RestorableWindow window = RestorableWindow.of(inventory, Damage.of(Map.of(damaged, REASON)));
        assertEquals(List.of(new TimeRange(at(21), at(60))), window.ranges(), "backup aaaa still restores up to the newest WAL");
        assertEquals(1, window.unusableBackups().size());
        UnusableBackup unusable = window.unusableBackups().get(0);
        assertEquals(id("bbbb", 42), unusable.backup().id());
        assertTrue(unusable.reason().contains(damaged) && unusable.reason().contains(REASON), unusable.reason());
    }

    @Test
    void aDamagedWalObjectBeforeTheNewestBackupSplitsTheWindowButKeepsItsEnd() {
        BucketInventory inventory = oneBackupSixSegments().backup("bbbb", 1, lsn(4, 0x100), lsn(4, 0x900), 42, 45).build();
        RestorableWindow window = RestorableWindow.of(inventory, Damage.of(Map.of(LAYOUT.walSegment(name(1, 3)), REASON)));
        assertEquals(List.of(new TimeRange(at(21), at(21)), new TimeRange(at(45), at(60))), window.ranges(),
                "the old backup restores only its consistent moment; the newest still reaches the newest WAL");
    }

    @Test
    void holesNameSegmentsThatAreSimplyNotStored() {
        BucketInventory inventory = bucket().backup("aaaa", 1, lsn(1, 0x100), lsn(2, 0x100), 12, 21)
                .segments(1, 1, 3).segments(1, 6, 7).build();
        List<WalHole> holes = RestorableWindow.of(inventory).holesBetween(lsn(1, 0x100), lsn(8, 0));
        assertEquals(1, holes.size(), holes.toString());
        assertEquals(lsn(4, 0), holes.get(0).from());
        assertEquals(lsn(6, 0), holes.get(0).resumes());
        assertTrue(holes.get(0).damaged().isEmpty());
    }
}
