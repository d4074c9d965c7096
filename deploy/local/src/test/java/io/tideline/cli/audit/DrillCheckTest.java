package io.tideline.cli.audit;

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
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

/** {@code tideline audit} fails for an instance that went longer than its drill policy without a good drill. */
class DrillCheckTest {

    private static final Instant T0 = Instant.parse("2026-12-01T08:00:00Z");
    private static final Duration HOUR = Duration.ofHours(1);
    private final List<AuditEvent> log = new ArrayList<>();

    @Test
    void anInstanceWithoutAGoodDrillForLongerThanItsPolicyIsReportedWithTheLastFailure() {
        RegisteredInstance pg = instance("pg-1", DrillPolicy.every(HOUR));
        add(completed("pg-1", "d-1", T0.plusSeconds(600)));
        add(failed("pg-1", "d-2", T0.plus(HOUR).plusSeconds(700), "checksum mismatch in backup object basebackups/x.part0001"));

        assertEquals(List.of(), DrillCheck.check(log, List.of(pg), T0.plus(HOUR).plusSeconds(600)), "due exactly now: not overdue yet");
        List<Finding> findings = DrillCheck.check(log, List.of(pg), T0.plus(HOUR).plusSeconds(601));
        assertEquals(1, findings.size(), findings.toString());
        String message = findings.get(0).message();
        assertTrue(message.contains("policy: every PT1H"), message);
        assertTrue(message.contains("its last good restore drill was d-1"), message);
        assertTrue(message.contains("d-2") && message.contains("checksum mismatch"), message);
    }

    @Test
    void anInstanceYoungerThanItsPolicyOrWithDrillsOffIsNeverOverdue() {
        RegisteredInstance young = instance("young-1", DrillPolicy.DEFAULT);
        RegisteredInstance off = instance("off-1", DrillPolicy.off());
        assertEquals(List.of(), DrillCheck.check(log, List.of(young, off), T0.plus(Duration.ofDays(6))));
        List<Finding> later = DrillCheck.check(log, List.of(young, off), T0.plus(Duration.ofDays(8)));
        assertEquals(List.of("young-1"), later.stream().map(Finding::instance).toList());
        assertTrue(later.get(0).message().contains("no good restore drill since it was registered"), later.get(0).message());
    }

    @Test
    void aGoodDrillWithinThePolicyPasses() {
        RegisteredInstance pg = instance("pg-1", DrillPolicy.every(HOUR));
        add(completed("pg-1", "d-1", T0.plus(Duration.ofMinutes(50))));
        add(completed("pg-1", "d-2", T0.plus(Duration.ofMinutes(110))));
        assertEquals(List.of(), DrillCheck.check(log, List.of(pg), T0.plus(Duration.ofMinutes(169))));
    }

    private void add(SpecificRecord v) {
        Instant at = (Instant) v.get(v.getSchema().getField("occurredAt").pos());
        String key = String.valueOf(v.get(v.getSchema().getField("instanceId").pos()));
        log.add(new AuditEvent(at, new Event(Topics.TIMELINE, 0, log.size(), key, at, Optional.of(v), Optional.empty())));
    }

    private static RegisteredInstance instance(String id, DrillPolicy policy) {
        InstanceId iid = InstanceId.of(id);
        return new RegisteredInstance(iid, id, "127.0.0.1", 5432, "postgres", "tideline_admin", SecretRef.of("instances/" + id + "/admin"),
                "tideline_replicator", SecretRef.of("instances/" + id + "/replicator"), "tideline-" + id,
                SecretRef.of("instances/" + id + "/s3-access-key"), SecretRef.of("instances/" + id + "/s3-secret-key"), 15, 16L << 20,
                Optional.empty(), Optional.empty(), Optional.empty(), T0, policy);
    }

    private static RestoreDrillCompleted completed(String id, String drill, Instant at) {
        return RestoreDrillCompleted.newBuilder().setEventId(UUID.randomUUID()).setInstanceId(id).setOccurredAt(at).setDrillId(drill)
                .setStartedAt(at.minusSeconds(30)).setPolicy(DrillPolicy.every(HOUR).toEvent()).setRtoMillis(7000).setRuns(List.of()).build();
    }

    private static RestoreDrillFailed failed(String id, String drill, Instant at, String reason) {
        return RestoreDrillFailed.newBuilder().setEventId(UUID.randomUUID()).setInstanceId(id).setOccurredAt(at).setDrillId(drill)
                .setStartedAt(at.minusSeconds(30)).setPolicy(DrillPolicy.every(HOUR).toEvent()).setReason(reason).build();
    }
}
