package io.tideline.scheduler.emit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tideline.core.ids.InstanceId;
import io.tideline.testkit.time.MutableClock;
import io.tideline.scheduler.Registrations;
import io.tideline.core.ids.CommandId;
import io.tideline.scheduler.plan.EmissionLedger;
import io.tideline.scheduler.registry.InstanceRegistrations;
import io.tideline.scheduler.registry.BackupSchedule;
import io.tideline.scheduler.registry.WindowPolicy;
import io.tideline.scheduler.window.WindowBand;
import io.tideline.schemas.BackupCommand;
import io.tideline.schemas.BackupReason;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DailyBackupEmitterTest {

    private static final TopicPartition P0 = new TopicPartition("tideline.backup-commands", 0);
    private static final Instant REGISTERED = Instant.parse("2026-05-01T00:00:00Z");

    private final MutableClock clock = MutableClock.at("2026-05-10T01:59:00Z");
    private final BackupSchedule schedule = new BackupSchedule(WindowPolicy.spreadOver(WindowBand.WHOLE_DAY));
    private final EmissionLedger ledger = new EmissionLedger();
    private final ReplayProgress replay = new ReplayProgress(Duration.ofMinutes(2).toNanos(), () -> 0L);
    private final List<BackupCommand> topic = new ArrayList<>();
    private boolean brokerDown;
    private final DailyBackupEmitter emitter = new DailyBackupEmitter(schedule, ledger, replay, command -> {
        if (brokerDown) {
            throw new IOException("broker unreachable");
        }
        topic.add(command);
    }, clock);

    @BeforeEach
    void registerTwoInstances() {
        InstanceRegistrations registrations = new InstanceRegistrations(schedule);
        registrations.accept(Registrations.registered("orders-db", 120, REGISTERED)); // 02:00
        registrations.accept(Registrations.registered("billing", 180, REGISTERED));     // 03:00
    }

    @Test
    void sendsNothingUntilTheReplayHasCaughtUp() {
        clock.set(Instant.parse("2026-05-10T04:00:00Z"));
        assertTrue(emitter.tick().waitingForReplay());
        replay.assigned(Map.of(P0, 0L), Map.of(P0, 2L));
        assertTrue(emitter.tick().waitingForReplay());
        assertEquals(List.of(), topic);

        // the replay finds today's command for orders-db, sent before the restart
        new EmittedCommands(ledger).apply(EmittedCommandsTest.command("orders-db", "daily:orders-db:2026-05-10", BackupReason.DAILY));
        replay.processed(P0, 1);

        assertFalse(emitter.tick().waitingForReplay());
        assertEquals(List.of("daily:billing:2026-05-10"), ids());
    }

    @Test
    void sendsEachCommandOnceAtItsWindowWithTheDailyFields() {
        replay.assigned(Map.of(P0, 0L), Map.of(P0, 0L));
        ledger.record(CommandId.Daily.parse("daily:orders-db:2026-05-09"));
        ledger.record(CommandId.Daily.parse("daily:billing:2026-05-09"));

        assertEquals(List.of(), emitter.tick().sent());
        clock.set(Instant.parse("2026-05-10T02:00:00Z"));
        emitter.tick();
        emitter.tick();
        clock.advance(Duration.ofMinutes(59));
        emitter.tick();
        assertEquals(List.of("daily:orders-db:2026-05-10"), ids());

        clock.advance(Duration.ofMinutes(1));
        emitter.tick();
        assertEquals(List.of("daily:orders-db:2026-05-10", "daily:billing:2026-05-10"), ids());

        BackupCommand first = topic.get(0);
        assertEquals("orders-db", first.getInstanceId());
        assertEquals(BackupReason.DAILY, first.getReason());
        assertEquals(DailyBackupEmitter.REQUESTED_BY, first.getRequestedBy());
        assertEquals(Instant.parse("2026-05-10T02:00:00Z"), first.getOccurredAt());
        assertEquals(Optional.of(LocalDate.parse("2026-05-10")), ledger.lastEmitted(InstanceId.of("billing")));
    }

    @Test
    void aFailedSendIsNotRecordedAndIsRetriedAtTheNextTick() {
        replay.assigned(Map.of(P0, 0L), Map.of(P0, 0L));
        clock.set(Instant.parse("2026-05-10T03:00:00Z"));
        brokerDown = true;
        DailyBackupEmitter.TickResult failed = emitter.tick();
        assertEquals(1, failed.failed());
        assertEquals(Optional.empty(), ledger.lastEmitted(InstanceId.of("orders-db")));

        brokerDown = false;
        clock.advance(Duration.ofSeconds(30));
        emitter.tick();
        emitter.tick();
        assertEquals(List.of("daily:orders-db:2026-05-10", "daily:billing:2026-05-10"), ids());
    }

    @Test
    void aRemovedInstanceGetsNoMoreCommands() {
        replay.assigned(Map.of(P0, 0L), Map.of(P0, 0L));
        new InstanceRegistrations(schedule).accept(Registrations.removed("billing"));
        clock.set(Instant.parse("2026-05-10T03:00:00Z"));
        emitter.tick();
        assertEquals(List.of("daily:orders-db:2026-05-10"), ids());
    }

    private List<String> ids() {
        return topic.stream().map(BackupCommand::getCommandId).toList();
    }
}
