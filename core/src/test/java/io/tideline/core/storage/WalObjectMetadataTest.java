package io.tideline.core.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tideline.core.wal.Lsn;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class WalObjectMetadataTest {

    private static final Lsn START = Lsn.parse("0/3000000");
    private static final Lsn END = Lsn.parse("0/3A00000");
    private static final Sha256 RAW = Sha256.of("wal".getBytes(StandardCharsets.US_ASCII));
    private static final Instant LAST_MODIFIED = Instant.parse("2026-11-24T10:35:23Z");

    @Test
    void aWrittenObjectsMetadataReadsBackWithItsMillisecondStoredAt() {
        Instant beforePut = Instant.parse("2026-11-24T10:35:23.480000001Z");
        WalObjectMetadata written = WalObjectMetadata.written(START, END, RAW, beforePut);

        Map<String, String> map = written.toMap();
        assertEquals("2026-11-24T10:35:23.480Z", map.get(WalObjectMetadata.STORED_AT), "truncated, ISO-8601 UTC");
        WalObjectMetadata read = WalObjectMetadata.from(object(map));

        assertEquals(written, read);
        assertEquals(Optional.of(Instant.parse("2026-11-24T10:35:23.480Z")), read.storedAt());
        assertEquals(Instant.parse("2026-11-24T10:35:23.480Z"), read.storedAtOr(LAST_MODIFIED), "preferred over Last-Modified");
        assertTrue(!read.storedAt().orElseThrow().isAfter(beforePut), "a coverage claim never gets later than given");
    }

    @Test
    void anObjectWrittenBeforeStoredAtExistedStillReadsAndFallsBackToLastModified() {
        Map<String, String> older = Map.of(WalObjectMetadata.START_LSN, START.toString(),
                WalObjectMetadata.END_LSN, END.toString(), WalObjectMetadata.RAW_SHA256, RAW.hex());

        WalObjectMetadata read = WalObjectMetadata.from(object(older));

        assertEquals(new WalObjectMetadata(START, END, RAW), read);
        assertEquals(Optional.empty(), read.storedAt());
        assertEquals(LAST_MODIFIED, read.storedAtOr(LAST_MODIFIED));
        assertEquals(older, read.toMap(), "written back without inventing a time");
    }

    @Test
    void aWholeSecondOrExactMillisecondStampIsKeptAsItIs() {
        Instant exact = Instant.parse("2026-11-24T10:35:23.000Z");
        assertEquals(exact, WalObjectMetadata.storedAtFor(exact));
        assertEquals(exact, WalObjectMetadata.from(object(WalObjectMetadata.written(START, END, RAW, exact).toMap()))
                .storedAt().orElseThrow());
        Instant ms = Instant.parse("2026-11-24T10:35:23.999Z");
        assertEquals(ms, WalObjectMetadata.storedAtFor(ms));
        assertEquals(ms, WalObjectMetadata.storedAtFor(ms.plusNanos(999_999)));
    }

    @Test
    void aMalformedStoredAtFailsNamingTheObjectAndTheKey() {
        Map<String, String> bad = new HashMap<>(WalObjectMetadata.written(START, END, RAW, LAST_MODIFIED).toMap());
        bad.put(WalObjectMetadata.STORED_AT, "yesterday");

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> WalObjectMetadata.from(object(bad)));
        assertTrue(e.getMessage().contains("wal/00000001/000000010000000000000003.zst"), e.getMessage());
        assertTrue(e.getMessage().contains(WalObjectMetadata.STORED_AT), e.getMessage());
    }

    @Test
    void aStampFinerThanMillisecondsIsRefusedRatherThanSilentlyTruncated() {
        assertThrows(IllegalArgumentException.class, () -> new WalObjectMetadata(START, END, RAW,
                Optional.of(Instant.parse("2026-11-24T10:35:23.480000001Z"))));
        assertFalse(WalObjectMetadata.written(START, END, RAW, Instant.parse("2026-11-24T10:35:23.4805Z")).storedAt().isEmpty());
    }

    private static StoredObject object(Map<String, String> metadata) {
        return new StoredObject("wal/00000001/000000010000000000000003.zst", 100, LAST_MODIFIED, Optional.empty(), metadata);
    }
}
