package io.tideline.core.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

class WalSegmentNameTest {

    private static final long MB16 = 16L << 20;
    private static final long MB64 = 64L << 20;
    private static final long MB1 = 1L << 20;
    private static final long GB1 = 1L << 30;

    @ParameterizedTest
    @CsvSource({
            // segment size in MB, LSN, file name of the segment holding that byte
            "16, 0/0, 000000010000000000000000",
            "16, 0/FFFFFF, 000000010000000000000000",
            "16, 0/1000000, 000000010000000000000001",
            "16, 0/FF000000, 0000000100000000000000FF",
            "16, 0/FFFFFFFF, 0000000100000000000000FF",
            "16, 1/0, 000000010000000100000000",
            "16, 16/B374D848, 0000000100000016000000B3",
            "16, FFFFFFFF/FFFFFFFF, 00000001FFFFFFFF000000FF",
            "64, 0/3FFFFFF, 000000010000000000000000",
            "64, 0/4000000, 000000010000000000000001",
            "64, 0/FC000000, 00000001000000000000003F",
            "64, 1/0, 000000010000000100000000",
            "64, 16/B374D848, 00000001000000160000002C",
            "1, 0/FFF00000, 000000010000000000000FFF",
            "1024, 2/C0000000, 000000010000000200000003",
    })
    void namesTheSegmentHoldingAByte(long sizeMb, String lsn, String expected) {
        WalSegmentName name = WalSegmentName.of(1, Lsn.parse(lsn), sizeMb << 20);
        assertEquals(expected, name.toString());
        assertTrue(name.contains(Lsn.parse(lsn)));
        assertEquals(name, WalSegmentName.parse(expected, sizeMb << 20));
    }

    @Test
    void formatsTimelineInTheFirstEightDigits() {
        WalSegmentName name = WalSegmentName.of(0x1A, Lsn.parse("3/5000000"), MB16);
        assertEquals("0000001A0000000300000005", name.toString());
        assertEquals(0x1A, WalSegmentName.parse("0000001A0000000300000005", MB16).timeline());
        assertEquals("FFFFFFFF0000000300000005", name.onTimeline(0xFFFFFFFFL).toString());
    }

    @Test
    void segmentBoundariesAreHalfOpen() {
        WalSegmentName seg = WalSegmentName.parse("000000010000000200000007", MB16);
        assertEquals(Lsn.parse("2/7000000"), seg.startLsn());
        assertEquals(Lsn.parse("2/8000000"), seg.endLsn());
        assertTrue(seg.contains(Lsn.parse("2/7000000")));
        assertTrue(seg.contains(Lsn.parse("2/7FFFFFF")));
        assertFalse(seg.contains(Lsn.parse("2/8000000")));
        assertFalse(seg.contains(Lsn.parse("2/6FFFFFF")));
        assertEquals(0, seg.offsetOf(Lsn.parse("2/7000000")));
        assertEquals(0xFFFFFF, seg.offsetOf(Lsn.parse("2/7FFFFFF")));
        assertThrows(IllegalArgumentException.class, () -> seg.offsetOf(Lsn.parse("2/8000000")));
        assertEquals(seg.next().startLsn(), seg.endLsn());
    }

    @Test
    void nextAndPreviousCrossTheLogIdBoundaryWith16MbSegments() {
        WalSegmentName last = WalSegmentName.parse("0000000100000000000000FF", MB16);
        WalSegmentName first = last.next();
        assertEquals("000000010000000100000000", first.toString());
        assertEquals(last, first.previous());
        assertEquals(Lsn.parse("1/0"), first.startLsn());
        assertEquals(Lsn.parse("0/FF000000"), last.startLsn());
        assertEquals(Lsn.parse("1/0"), last.endLsn());
        assertEquals("0000000100000001000000FF", WalSegmentName.parse("0000000100000001000000FE", MB16).next().toString());
        assertEquals("000000010000000200000000", WalSegmentName.parse("0000000100000001000000FF", MB16).next().toString());
    }

    @Test
    void nextAndPreviousCrossTheLogIdBoundaryWith64MbSegments() {
        // 64 MB segments: 64 per 4 GB log id, so 0x3F is the last one and 0x40 does not exist.
        WalSegmentName last = WalSegmentName.parse("00000001000000000000003F", MB64);
        WalSegmentName first = last.next();
        assertEquals("000000010000000100000000", first.toString());
        assertEquals(last, first.previous());
        assertEquals(Lsn.parse("1/0"), first.startLsn());
        assertEquals(Lsn.parse("0/FC000000"), last.startLsn());
        assertThrows(IllegalArgumentException.class, () -> WalSegmentName.parse("000000010000000000000040", MB64));
        // The same name means a different position under another segment size.
        assertEquals(Lsn.parse("0/3F000000"), WalSegmentName.parse("00000001000000000000003F", MB16).startLsn());
    }

    @Test
    void theFirstAndLastSegmentsHaveNoPredecessorOrSuccessor() {
        WalSegmentName zero = WalSegmentName.parse("000000010000000000000000", MB16);
        assertThrows(IllegalStateException.class, zero::previous);
        WalSegmentName last = WalSegmentName.of(1, Lsn.MAX, MB16);
        assertEquals("00000001FFFFFFFF000000FF", last.toString());
        assertEquals(Lsn.parse("FFFFFFFF/FF000000"), last.startLsn());
        assertThrows(IllegalStateException.class, last::next);
        assertThrows(ArithmeticException.class, last::endLsn);
        assertTrue(last.contains(Lsn.MAX));
        assertEquals(last, last.previous().next());
    }

    @Test
    void ordersLikeTheFileNames() {
        List<WalSegmentName> names = new ArrayList<>();
        for (String s : List.of("000000020000000000000001", "000000010000000100000000", "0000000100000000000000FF",
                "000000010000000000000002", "0000000A0000000000000000")) {
            names.add(WalSegmentName.parse(s, MB16));
        }
        List<String> expected = names.stream().map(WalSegmentName::toString).sorted().toList();
        Collections.sort(names);
        assertEquals(expected, names.stream().map(WalSegmentName::toString).toList());
        assertThrows(IllegalArgumentException.class,
                () -> WalSegmentName.parse("000000010000000000000001", MB16).compareTo(WalSegmentName.parse("000000010000000000000001", MB64)));
    }

    @Test
    void roundTripsEverySizeAtRandomPositions() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(20261124);
        for (long size = MB1; size <= GB1; size <<= 1) {
            for (int i = 0; i < 2000; i++) {
                Lsn lsn = new Lsn(random.nextLong());
                WalSegmentName name = WalSegmentName.of(1 + random.nextInt(1000), lsn, size);
                WalSegmentName parsed = WalSegmentName.parse(name.toString(), size);
                assertEquals(name, parsed);
                assertTrue(parsed.contains(lsn), () -> parsed + " should contain " + lsn);
                assertEquals(lsn, parsed.startLsn().plus(parsed.offsetOf(lsn)));
            }
        }
    }

    @ParameterizedTest
    @NullSource
    @ValueSource(strings = {"", "00000001000000000000000", "0000000100000000000000001", "00000001000000000000000a",
            "000000010000000000000100", "00000000000000000000000A", "00000001000000000000000G", "000000010000000000000001.partial",
            "00000002.history", " 00000001000000000000001"})
    void rejectsBadNames(String name) {
        assertThrows(IllegalArgumentException.class, () -> WalSegmentName.parse(name, MB16));
    }

    @Test
    void rejectsBadSizesTimelinesAndNumbers() {
        for (long size : new long[] {0, -MB16, MB1 / 2, 3 * MB1, 2 * GB1, MB16 + 1}) {
            assertThrows(IllegalArgumentException.class, () -> WalSegmentName.of(1, Lsn.ZERO, size), "size " + size);
            assertThrows(IllegalArgumentException.class, () -> WalSegmentName.parse("000000010000000000000000", size), "size " + size);
        }
        assertThrows(IllegalArgumentException.class, () -> new WalSegmentName(0, 1, MB16));
        assertThrows(IllegalArgumentException.class, () -> new WalSegmentName(0x1_0000_0000L, 1, MB16));
        assertThrows(IllegalArgumentException.class, () -> new WalSegmentName(1, -1, MB16));
        assertThrows(IllegalArgumentException.class, () -> new WalSegmentName(1, 1L << 40, MB16));
    }

    @Test
    void recognisesTheShapeOfSegmentNames() {
        assertTrue(WalSegmentName.looksLikeSegmentName("0000000100000000000000AB"));
        assertFalse(WalSegmentName.looksLikeSegmentName("0000000100000000000000ab"));
        assertFalse(WalSegmentName.looksLikeSegmentName("0000000100000000000000AB.partial"));
        assertFalse(WalSegmentName.looksLikeSegmentName(null));
    }
}
