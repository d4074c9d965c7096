package io.tideline.schemas.serde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.tideline.schemas.WalSegmentStored;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * v2 of {@code WalSegmentStored}: {@code coveredUntil}, the primary's time up to which the object holds
 * every commit, added because {@code storedAt} (the store's confirmation) is later by the archive lag and
 * a window built from events must not claim moments the WAL does not reach. A v1 record still decodes,
 * with no coverage known.
 */
class WalSegmentStoredEvolutionTest {

    private final EventCodec codec = EventCodec.standard();

    @Test
    void aVersionOneRecordDecodesWithNoCoverageKnown() {
        UUID id = UUID.randomUUID();
        Map<String, Object> v1 = new LinkedHashMap<>();
        v1.put("eventId", id.toString());
        v1.put("instanceId", "pg-1");
        v1.put("occurredAt", Instant.parse("2026-11-24T08:00:01Z").toEpochMilli());
        v1.put("timeline", 1);
        v1.put("segment", "000000010000000000000003");
        v1.put("startLsn", "0/3000000");
        v1.put("endLsn", "0/4000000");
        v1.put("bytes", 16_777_216L);
        v1.put("storedBytes", 1_000_000L);
        v1.put("sha256", "ab".repeat(32));
        v1.put("objectKey", "wal/00000001/000000010000000000000003.zst");
        v1.put("storedAt", Instant.parse("2026-11-24T08:00:01Z").toEpochMilli());
        v1.put("partial", false);
        byte[] encoded = OldRecords.encode("WalSegmentStored", 1, v1);

        WalSegmentStored read = codec.decode(encoded, WalSegmentStored.class);
        assertEquals(id, read.getEventId());
        assertEquals("0/4000000", read.getEndLsn());
        assertEquals(Instant.parse("2026-11-24T08:00:01Z"), read.getStoredAt());
        assertNull(read.getCoveredUntil(), "v1 had no coverage: unknown, not the upload time");
    }

    @Test
    void coverageRoundTripsAndPrecedesTheConfirmation() {
        WalSegmentStored event = WalSegmentStored.newBuilder().setEventId(UUID.randomUUID()).setInstanceId("pg-1")
                .setOccurredAt(Instant.parse("2026-11-24T08:00:05Z")).setTimeline(1).setSegment("000000010000000000000003")
                .setStartLsn("0/3000000").setEndLsn("0/3A00000").setBytes(0xA00000L).setStoredBytes(40_000L)
                .setSha256("cd".repeat(32)).setObjectKey("wal/00000001/000000010000000000000003.partial.zst")
                .setStoredAt(Instant.parse("2026-11-24T08:00:05Z")).setPartial(true)
                .setCoveredUntil(Instant.parse("2026-11-24T08:00:03.250Z")).build();
        WalSegmentStored read = codec.decode(codec.encode(event), WalSegmentStored.class);
        assertEquals(Instant.parse("2026-11-24T08:00:03.250Z"), read.getCoveredUntil());
        assertEquals(event, read);
    }
}
