package io.tideline.schemas.serde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tideline.schemas.RestoreRequested;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * v2 of {@code RestoreRequested}: {@code exclusive} added (default false) for every recovery target; the
 * new kinds themselves travel in the existing {@code target} text ({@code lsn:…}, {@code xid:…},
 * {@code name:…}, {@code immediate}). A v1 record still decodes, as the inclusive target it always meant.
 */
class RestoreRequestedEvolutionTest {

    private final EventCodec codec = EventCodec.standard();

    @Test
    void aVersionOneRecordDecodesAsInclusive() {
        UUID id = UUID.randomUUID();
        Map<String, Object> v1 = new LinkedHashMap<>();
        v1.put("eventId", id.toString());
        v1.put("instanceId", "pg-1");
        v1.put("occurredAt", Instant.parse("2026-11-24T08:00:01Z").toEpochMilli());
        v1.put("restoreId", "r-1");
        v1.put("target", "2026-11-24T08:00:00Z");
        v1.put("newName", null);
        v1.put("requestedBy", "cli:alice");
        byte[] encoded = OldRecords.encode("RestoreRequested", 1, v1);

        RestoreRequested read = codec.decode(encoded, RestoreRequested.class);
        assertEquals(id, read.getEventId());
        assertEquals("2026-11-24T08:00:00Z", read.getTarget());
        assertFalse(read.getExclusive(), "v1 had no exclusive targets: inclusive, as PostgreSQL's default");
    }

    @Test
    void anExclusiveXidTargetRoundTrips() {
        RestoreRequested event = RestoreRequested.newBuilder().setEventId(UUID.randomUUID()).setInstanceId("pg-1")
                .setOccurredAt(Instant.parse("2026-11-24T08:00:05Z")).setRestoreId("r-2").setTarget("xid:4711")
                .setNewName(null).setRequestedBy("cli:alice").setExclusive(true).build();
        RestoreRequested read = codec.decode(codec.encode(event), RestoreRequested.class);
        assertTrue(read.getExclusive());
        assertEquals(event, read);
    }
}
