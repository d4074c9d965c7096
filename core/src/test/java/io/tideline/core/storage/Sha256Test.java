package io.tideline.core.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class Sha256Test {

    @Test
    void matchesTheKnownDigestOfAbc() {
        // FIPS 180-2 test vector.
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
                Sha256.of("abc".getBytes(StandardCharsets.US_ASCII)).hex());
    }

    @Test
    void aRangeHashesOnlyThatRange() {
        byte[] padded = "xxabcyy".getBytes(StandardCharsets.US_ASCII);
        assertEquals(Sha256.of("abc".getBytes(StandardCharsets.US_ASCII)), Sha256.of(padded, 2, 3));
    }

    @Test
    void parseIsStrict() {
        String upper = "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD";
        assertThrows(IllegalArgumentException.class, () -> Sha256.parse(upper));
        assertThrows(IllegalArgumentException.class, () -> Sha256.parse("ba78"));
        assertThrows(IllegalArgumentException.class, () -> Sha256.parse(null));
        assertEquals(upper.toLowerCase(), Sha256.parse(upper.toLowerCase()).toString());
    }
}
