package io.tideline.scheduler.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tideline.core.ids.InstanceId;
import io.tideline.scheduler.window.BackupWindow;
import io.tideline.scheduler.window.WindowBand;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BackupScheduleTest {

    private static final InstanceId ORDERS = InstanceId.of("orders-db");
    private static final InstanceId BILLING = InstanceId.of("billing");
    private static final Instant T0 = Instant.parse("2026-05-10T08:00:00Z");

    @Test
    void windowPrecedenceIsOperatorOverrideThenRegistrationThenSpread() {
        WindowBand night = WindowBand.parse("22:00-04:00");
        WindowPolicy policy = new WindowPolicy(night, Map.of(ORDERS, BackupWindow.parse("05:00")));

        assertEquals(BackupWindow.parse("05:00"), policy.windowFor(ORDERS, Optional.of(BackupWindow.parse("01:00"))));
        assertEquals(BackupWindow.parse("05:00"), policy.windowFor(ORDERS, Optional.empty()));
        assertEquals(BackupWindow.parse("12:00"), policy.windowFor(BILLING, Optional.of(BackupWindow.parse("12:00"))));
        assertEquals(BackupWindow.spread(BILLING, night), policy.windowFor(BILLING, Optional.empty()));
        assertTrue(night.contains(policy.windowFor(BILLING, Optional.empty()).startMinute()));
    }

    @Test
    void registrationReplacesAndTombstoneRemoves() {
        BackupSchedule schedule = new BackupSchedule(WindowPolicy.spreadOver(WindowBand.WHOLE_DAY));
        schedule.register(ORDERS, Optional.empty(), T0);
        schedule.register(BILLING, Optional.of(BackupWindow.parse("03:00")), T0);
        schedule.register(BILLING, Optional.of(BackupWindow.parse("04:00")), T0.plusSeconds(60));

        assertEquals(List.of(BILLING, ORDERS), schedule.snapshot().stream().map(i -> i.id()).toList());
        assertEquals(BackupWindow.parse("04:00"), schedule.find(BILLING).orElseThrow().window());
        assertEquals(T0.plusSeconds(60), schedule.find(BILLING).orElseThrow().registeredAt());
        assertEquals(BackupWindow.spread(ORDERS, WindowBand.WHOLE_DAY), schedule.find(ORDERS).orElseThrow().window());

        assertTrue(schedule.remove(BILLING));
        assertFalse(schedule.remove(BILLING));
        assertEquals(List.of(ORDERS), schedule.snapshot().stream().map(i -> i.id()).toList());
        assertEquals(1, schedule.size());
    }
}
