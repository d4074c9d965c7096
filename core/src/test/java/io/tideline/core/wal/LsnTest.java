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

class LsnTest {

    @ParameterizedTest
    @CsvSource({
            "0/0, 0",
            "0/1, 1",
            "16/B374D848, 0x16B374D848",
            "1/0, 0x100000000",
            "FFFFFFFF/FFFFFFFF, -1",
            "80000000/0, 0x8000000000000000"
    })
    void parsesAndPrintsLikeTheServer(String text, String hexOrSigned) {
        long expected = hexOrSigned.startsWith("0x")
                ? Long.parseUnsignedLong(hexOrSigned.substring(2), 16)
                : Long.parseLong(hexOrSigned);
        Lsn lsn = Lsn.parse(text);
        assertEquals(expected, lsn.value());
        assertEquals(text, lsn.toString());
        assertEquals(lsn, Lsn.parse(lsn.toString()));
    }

    @Test
    void acceptsLowerCaseAndLeadingZerosButPrintsCanonically() {
        assertEquals("16/B374D848", Lsn.parse("00000016/b374d848").toString());
        assertEquals(Lsn.parse("A/1"), Lsn.parse("0000000a/00000001"));
    }

    @ParameterizedTest
    @NullSource
    @ValueSource(strings = {"", "/", "0/", "/0", "0", "0/0/0", "G/0", "0/G", "-1/0", "+1/0", "0/-1", " 0/0", "0/0 ",
            "123456789/0", "0/123456789", "0x1/0"})
    void rejectsWhatTheServerRejects(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Lsn.parse(text));
        assertTrue(e.getMessage().contains("LSN"), e.getMessage());
    }

    @Test
    void comparesUnsignedAboveTwoToTheSixtyThree() {
        Lsn low = Lsn.parse("7FFFFFFF/FFFFFFFF");
        Lsn high = Lsn.parse("80000000/0");
        Lsn max = Lsn.MAX;
        assertTrue(high.isAfter(low), "2^63 is after 2^63-1 although its signed value is negative");
        assertTrue(max.isAfter(high));
        assertTrue(Lsn.ZERO.isBefore(high));
        assertEquals(high, Lsn.max(low, high));
        assertEquals(low, Lsn.min(low, high));

        List<Lsn> sorted = new ArrayList<>(List.of(max, Lsn.ZERO, high, low, Lsn.parse("1/0")));
        Collections.sort(sorted);
        assertEquals(List.of(Lsn.ZERO, Lsn.parse("1/0"), low, high, max), sorted);
    }

    @Test
    void arithmeticWorksAcrossTheSignBitAndFailsInsteadOfWrapping() {
        Lsn low = Lsn.parse("7FFFFFFF/FFFFFFFF");
        assertEquals(Lsn.parse("80000000/0"), low.plus(1));
        assertEquals(low, Lsn.parse("80000000/0").minus(1));
        assertEquals(Lsn.MAX, Lsn.parse("FFFFFFFF/FFFFFFFE").plus(1));
        assertThrows(ArithmeticException.class, () -> Lsn.MAX.plus(1));
        assertThrows(ArithmeticException.class, () -> Lsn.ZERO.minus(1));
        assertThrows(ArithmeticException.class, () -> Lsn.parse("0/10").minus(0x11));
        assertThrows(IllegalArgumentException.class, () -> Lsn.ZERO.plus(-1));
        assertThrows(IllegalArgumentException.class, () -> Lsn.MAX.minus(-1));
    }

    @Test
    void bytesSinceIsSignedAndRefusesDistancesThatDoNotFit() {
        Lsn a = Lsn.parse("1/0");
        Lsn b = Lsn.parse("1/1000");
        assertEquals(0x1000, b.bytesSince(a));
        assertEquals(-0x1000, a.bytesSince(b));
        assertEquals(0, a.bytesSince(a));
        assertEquals(1, Lsn.parse("80000000/0").bytesSince(Lsn.parse("7FFFFFFF/FFFFFFFF")));
        assertEquals(Long.MAX_VALUE, Lsn.parse("7FFFFFFF/FFFFFFFF").bytesSince(Lsn.ZERO));
        assertEquals(Long.MIN_VALUE, Lsn.ZERO.bytesSince(Lsn.parse("80000000/0")));
        assertThrows(ArithmeticException.class, () -> Lsn.MAX.bytesSince(Lsn.ZERO));
        assertThrows(ArithmeticException.class, () -> Lsn.ZERO.bytesSince(Lsn.MAX));
    }

    @Test
    void segmentOffsetDependsOnTheSegmentSize() {
        Lsn lsn = Lsn.parse("0/5123456");
        assertEquals(0x123456, lsn.segmentOffset(16L << 20));
        assertEquals(0x1123456, lsn.segmentOffset(64L << 20));
        assertTrue(Lsn.parse("0/4000000").isSegmentStart(64L << 20));
        assertTrue(Lsn.parse("0/5000000").isSegmentStart(16L << 20));
        assertFalse(Lsn.parse("0/5000000").isSegmentStart(64L << 20));
        assertEquals(0xFFFFFF, Lsn.MAX.segmentOffset(16L << 20));
        assertThrows(IllegalArgumentException.class, () -> lsn.segmentOffset(3 << 20));
    }
}
