package io.tideline.schemas.serde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tideline.schemas.ArtifactsExpired;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * v2 of {@code ArtifactsExpired}: {@code keptBackupId} became nullable (a run that removed only orphans
 * before any backup was old enough keeps none) and {@code orphanKeys} was added. A v1 record written
 * before the change — they stay on the timeline topic for the audit year — still decodes.
 */
class ArtifactsExpiredEvolutionTest {

    private final EventCodec codec = EventCodec.standard();

    @Test
    void aVersionOneRecordDecodesWithItsKeptBackupAndNoOrphans() {
        UUID id = UUID.randomUUID();
        Map<String, Object> v1 = new LinkedHashMap<>();
        v1.put("eventId", id.toString());
        v1.put("instanceId", "pg-1");
        v1.put("occurredAt", Instant.parse("2026-11-24T08:00:00Z").toEpochMilli());
        v1.put("retentionCutoff", Instant.parse("2026-11-17T08:00:00Z").toEpochMilli());
        v1.put("keptBackupId", "20261117T020000Z-abcd");
        v1.put("expiredBackupIds", List.of("20261116T020000Z-abcd"));
        v1.put("expiredWal", List.of());
        v1.put("objectsDeleted", 3L);
        v1.put("bytesFreed", 1000L);
        byte[] encoded = OldRecords.encode("ArtifactsExpired", 1, v1);

        ArtifactsExpired read = codec.decode(encoded, ArtifactsExpired.class);
        assertEquals(id, read.getEventId());
        assertEquals("20261117T020000Z-abcd", read.getKeptBackupId());
        assertEquals(List.of("20261116T020000Z-abcd"), read.getExpiredBackupIds());
        assertTrue(read.getOrphanKeys().isEmpty(), "v1 had no orphans field: empty by default");
    }

    @Test
    void aRunThatKeptNoBackupAndRemovedOrphansRoundTrips() {
        ArtifactsExpired event = ArtifactsExpired.newBuilder().setEventId(UUID.randomUUID()).setInstanceId("pg-1")
                .setOccurredAt(Instant.parse("2026-11-24T08:00:00Z")).setRetentionCutoff(Instant.parse("2026-11-17T08:00:00Z"))
                .setKeptBackupId(null)
                .setOrphanKeys(List.of("basebackups/20261120T020000Z-dead/data.tar.zst.part0001"))
                .setObjectsDeleted(1).setBytesFreed(42).build();
        ArtifactsExpired read = codec.decode(codec.encode(event), ArtifactsExpired.class);
        assertNull(read.getKeptBackupId());
        assertEquals(List.of("basebackups/20261120T020000Z-dead/data.tar.zst.part0001"), read.getOrphanKeys());
        assertEquals(event, read);
    }
}
