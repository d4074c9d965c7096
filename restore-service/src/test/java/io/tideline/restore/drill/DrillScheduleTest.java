package io.tideline.restore.drill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tideline.core.ids.InstanceId;
import io.tideline.core.registry.DrillPolicy;
import io.tideline.core.registry.RegisteredInstance;
import io.tideline.core.secrets.SecretRef;
import io.tideline.schemas.RestoreDrillCompleted;
import io.tideline.schemas.RestoreDrillFailed;
import io.tideline.testkit.time.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** When an instance is due a restore drill: its policy, its registration, its last drill (good or failed). */
class DrillScheduleTest {

    private static final Instant T0 = Instant.parse("2026-12-01T08:00:00Z");
    private final MutableClock clock = new MutableClock(T0);
    private final DrillHistory history = new DrillHistory();

    @Test
    void aNewInstanceIsDueOnePeriodAfterItsRegistrationNotBefore() {
        RegisteredInstance weekly = instance("weekly", DrillPolicy.DEFAULT);
        RegisteredInstance quick = instance("quick", DrillPolicy.every(Duration.ofSeconds(20)));
        List<RegisteredInstance> fleet = List.of(weekly, quick);

        clock.advance(Duration.ofSeconds(19));
        assertEquals(List.of(), DrillSchedule.due(fleet, history, clock.instant()));
        clock.advance(Duration.ofSeconds(1));
        assertEquals(List.of(quick), DrillSchedule.due(fleet, history, clock.instant()));
        clock.set(T0.plus(Duration.ofDays(7)));
        assertEquals(List.of(quick, weekly), DrillSchedule.due(fleet, history, clock.instant()), "the longest overdue first");
    }

    @Test
    void aDrillGoodOrFailedMovesTheNextOneAPeriodOn() {
        RegisteredInstance quick = instance("quick", DrillPolicy.every(Duration.ofMinutes(10)));
        clock.advance(Duration.ofMinutes(10));
        assertEquals(List.of(quick), DrillSchedule.due(List.of(quick), history, clock.instant()));

        history.apply(completed("quick", clock.instant(), clock.instant().plusSeconds(30)));
        clock.advance(Duration.ofMinutes(9));
        assertEquals(List.of(), DrillSchedule.due(List.of(quick), history, clock.instant()));
        clock.advance(Duration.ofMinutes(1));
        assertEquals(List.of(quick), DrillSchedule.due(List.of(quick), history, clock.instant()));

        // a failed drill is not retried at once: it would fail the same way
        history.apply(failed("quick", clock.instant()));
        clock.advance(Duration.ofMinutes(5));
        assertEquals(List.of(), DrillSchedule.due(List.of(quick), history, clock.instant()));
        assertEquals(T0.plus(Duration.ofMinutes(30)), DrillSchedule.nextDue(quick, history).orElseThrow());
    }

    @Test
    void anAttemptThatPublishedNothingStillCountsSoItIsNotRepeatedAtOnce() {
        RegisteredInstance quick = instance("quick", DrillPolicy.every(Duration.ofMinutes(10)));
        clock.advance(Duration.ofMinutes(10));
        history.attempted("quick-1", clock.instant());
        assertEquals(List.of(), DrillSchedule.due(List.of(quick), history, clock.instant()));
    }

    @Test
    void drillsOffAreNeverDue() {
        RegisteredInstance off = instance("off", DrillPolicy.off());
        clock.set(T0.plus(Duration.ofDays(3650)));
        assertEquals(List.of(), DrillSchedule.due(List.of(off), history, clock.instant()));
        assertTrue(DrillSchedule.nextDue(off, history).isEmpty());
    }

    @Test
    void theHistoryKeepsTheNewestGoodDrillWhateverTheOrder() {
        history.apply(completed("a", T0.plusSeconds(100), T0.plusSeconds(200)));
        history.apply(completed("a", T0, T0.plusSeconds(50)));
        assertEquals(T0.plusSeconds(200), history.lastGood("a-1").orElseThrow().at());
        assertEquals(T0.plusSeconds(100), history.lastAttempt("a-1").orElseThrow());
        assertTrue(history.lastGood("b-1").isEmpty());
    }

    private RegisteredInstance instance(String id, DrillPolicy policy) {
        InstanceId iid = InstanceId.of(id + "-1");
        return new RegisteredInstance(iid, id, "127.0.0.1", 5432, "postgres", "tideline_admin",
                SecretRef.of("instances/" + iid + "/admin"), "tideline_replicator", SecretRef.of("instances/" + iid + "/replicator"),
                "tideline-" + iid, SecretRef.of("instances/" + iid + "/s3-access-key"), SecretRef.of("instances/" + iid + "/s3-secret-key"),
                15, 16L << 20, Optional.empty(), Optional.empty(), Optional.empty(), T0, policy);
    }

    private static RestoreDrillCompleted completed(String id, Instant started, Instant at) {
        return RestoreDrillCompleted.newBuilder().setEventId(UUID.randomUUID()).setInstanceId(id + "-1").setOccurredAt(at)
                .setDrillId(UUID.randomUUID().toString()).setStartedAt(started).setPolicy(DrillPolicy.DEFAULT.toEvent())
                .setRtoMillis(1234).setRuns(List.of()).build();
    }

    private static RestoreDrillFailed failed(String id, Instant started) {
        return RestoreDrillFailed.newBuilder().setEventId(UUID.randomUUID()).setInstanceId(id + "-1").setOccurredAt(started.plusSeconds(9))
                .setDrillId(UUID.randomUUID().toString()).setStartedAt(started).setPolicy(DrillPolicy.DEFAULT.toEvent())
                .setReason("checksum mismatch").setFailedTarget("oldest").build();
    }
}
