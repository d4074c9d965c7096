package io.tideline.cli.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tideline.cli.events.Event;
import io.tideline.core.ids.InstanceId;
import io.tideline.core.kafka.Topics;
import io.tideline.core.registry.DrillPolicy;
import io.tideline.core.registry.RegisteredInstance;
import io.tideline.core.secrets.SecretRef;
import io.tideline.schemas.RestoreDrillCompleted;
import io.tideline.schemas.RestoreDrillFailed;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

/** The "last proven restorable" line of {@code tideline backups}. */
class DrillProofTest {

    private static final Instant T0 = Instant.parse("2026-12-01T08:00:00Z");
    private final RegisteredInstance pg = new RegisteredInstance(InstanceId.of("pg-1"), "orders", "127.0.0.1", 5432, "postgres",
            "tideline_admin", SecretRef.of("instances/pg-1/admin"), "tideline_replicator", SecretRef.of("instances/pg-1/replicator"),
            "tideline-pg-1", SecretRef.of("instances/pg-1/s3-access-key"), SecretRef.of("instances/pg-1/s3-secret-key"), 15, 16L << 20,
            Optional.empty(), Optional.empty(), Optional.empty(), T0, DrillPolicy.every(Duration.ofDays(1)));

    @Test
    void showsTheLastGoodDrillAndAFailureSinceButNotAnOlderOne() {
        List<Event> events = List.of(
                event(failed("d-0", T0.plusSeconds(10))),
                event(RestoreDrillCompleted.newBuilder().setEventId(UUID.randomUUID()).setInstanceId("pg-1").setOccurredAt(T0.plusSeconds(100))
                        .setDrillId("d-1").setStartedAt(T0.plusSeconds(80)).setPolicy(pg.restoreDrill().toEvent()).setRtoMillis(7132)
                        .setRuns(List.of()).build()));
        DrillProof proof = DrillProof.of(pg, events);
        assertEquals("Last proven restorable: 2026-12-01T08:01:40Z, drill d-1, RTO 7.1 s (restore drills: every P1D)", proof.line());
        assertTrue(proof.failure().isEmpty(), "a failure before the good drill is history");

        DrillProof later = DrillProof.of(pg, List.of(events.get(0), events.get(1), event(failed("d-2", T0.plusSeconds(200)))));
        assertEquals("Last restore drill FAILED: d-2 at 2026-12-01T08:03:20Z: checksum mismatch", later.failure().orElseThrow());
        assertEquals("d-1", ((Map<?, ?>) later.json().get("lastProvenRestorable")).get("drillId"));
    }

    @Test
    void neverWhenNoDrillPassed() {
        assertEquals("Last proven restorable: never (no restore drill has passed yet) (restore drills: every P1D)",
                DrillProof.of(pg, List.of()).line());
    }

    private static RestoreDrillFailed failed(String drill, Instant at) {
        return RestoreDrillFailed.newBuilder().setEventId(UUID.randomUUID()).setInstanceId("pg-1").setOccurredAt(at).setDrillId(drill)
                .setStartedAt(at.minusSeconds(5)).setPolicy(DrillPolicy.DEFAULT.toEvent()).setReason("checksum mismatch").build();
    }

    private static Event event(SpecificRecord v) {
        return new Event(Topics.TIMELINE, 0, 0, "pg-1", T0, Optional.of(v), Optional.empty());
    }
}
