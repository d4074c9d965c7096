package io.tideline.scheduler.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tideline.core.ids.InstanceId;
import io.tideline.core.registry.InstanceRegistry.Change;
import io.tideline.scheduler.Registrations;
import io.tideline.scheduler.window.BackupWindow;
import io.tideline.scheduler.window.WindowBand;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class InstanceRegistrationsTest {

    private static final Instant T0 = Instant.parse("2026-05-10T08:00:00Z");

    private final BackupSchedule schedule = new BackupSchedule(WindowPolicy.spreadOver(WindowBand.WHOLE_DAY));
    private final InstanceRegistrations registrations = new InstanceRegistrations(schedule);

    private static Change registered(String id, Integer window) {
        return Registrations.registered(id, window, T0);
    }

    @Test
    void registrationWithWindowUsesItAndRemovalDropsIt() {
        registrations.accept(registered("orders-db", 150));
        assertEquals(BackupWindow.parse("02:30"), schedule.find(InstanceId.of("orders-db")).orElseThrow().window());
        assertEquals(T0, schedule.find(InstanceId.of("orders-db")).orElseThrow().registeredAt());

        registrations.accept(Registrations.removed("orders-db"));
        assertTrue(schedule.find(InstanceId.of("orders-db")).isEmpty());
    }

    @Test
    void registrationWithoutWindowIsSpread() {
        registrations.accept(registered("billing", null));
        assertEquals(BackupWindow.parse("15:19"), schedule.find(InstanceId.of("billing")).orElseThrow().window());
    }

    @Test
    void aWindowOutsideTheDayIsRefusedAndTheInstanceLeftOut() {
        assertThrows(IllegalArgumentException.class, () -> registrations.apply(registered("orders-db", 1440)));
        registrations.accept(registered("orders-db", -1)); // logged, not thrown: the registry thread goes on
        assertEquals(0, schedule.size());
    }
}
