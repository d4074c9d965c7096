package io.tideline.schemas.serde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.tideline.schemas.InstanceRegistered;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * v3 of {@code InstanceRegistered}: {@code adopted} added (default false, issue 13.1). Every registration
 * written before it was of an instance Tideline made, and decodes as such.
 */
class InstanceRegisteredEvolutionTest {

    @Test
    void aVersionTwoRecordDecodesAsNotAdopted() {
        Map<String, Object> v2 = new LinkedHashMap<>();
        v2.put("eventId", UUID.randomUUID().toString());
        v2.put("instanceId", "pg-1");
        v2.put("occurredAt", Instant.parse("2026-11-24T08:00:01Z").toEpochMilli());
        v2.put("name", "pg-1");
        v2.put("host", "127.0.0.1");
        v2.put("port", 5432);
        v2.put("database", "postgres");
        v2.put("superuser", "tideline_admin");
        v2.put("superuserSecretRef", "instances/pg-1/admin");
        v2.put("replicationUser", "tideline_replicator");
        v2.put("replicationSecretRef", "instances/pg-1/replicator");
        v2.put("bucket", "tideline-pg-1");
        v2.put("s3AccessKeyRef", "buckets/pg-1/access");
        v2.put("s3SecretKeyRef", "buckets/pg-1/secret");
        v2.put("postgresVersion", 15);
        v2.put("walSegmentSize", 16L << 20);
        v2.put("backupWindowStartMinuteUtc", null);
        v2.put("retentionDays", null);
        v2.put("restoredFrom", null);
        v2.put("restoreDrill", null);
        v2.put("registeredAt", Instant.parse("2026-11-24T08:00:00Z").toEpochMilli());

        InstanceRegistered read = EventCodec.standard().decode(OldRecords.encode("InstanceRegistered", 2, v2), InstanceRegistered.class);
        assertEquals("pg-1", read.getInstanceId());
        assertFalse(read.getAdopted(), "a registration from before adoption existed is of an instance Tideline made");
    }
}
