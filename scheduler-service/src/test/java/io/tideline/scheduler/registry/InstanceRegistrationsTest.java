package io.tideline.scheduler.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tideline.core.ids.InstanceId;
import io.tideline.scheduler.Registrations;
import io.tideline.scheduler.window.BackupWindow;
import io.tideline.scheduler.window.WindowBand;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class InstanceRegistrationsTest {

    private static final Instant T0 = Instant.parse("2026-05-10T08:00:00Z");

    private final BackupSchedule schedule = new BackupSchedule(WindowPolicy.spreadOver(WindowBand.WHOLE_DAY));
    private final InstanceRegistrations registrations = new InstanceRegistrations(schedule);

    @Test
    void registrationWithWindowUsesItAndTombstoneRemoves() {
        registrations.apply("orders-db", Registrations.of("orders-db", 150, T0));
        assertEquals(BackupWindow.parse("02:30"), schedule.find(InstanceId.of("orders-db")).orElseThrow().window());
        assertEquals(T0, schedule.find(InstanceId.of("orders-db")).orElseThrow().registeredAt());

        registrations.apply("orders-db", null);
        assertTrue(schedule.find(InstanceId.of("orders-db")).isEmpty());
    }

    @Test
    void registrationWithoutWindowIsSpread() {
        registrations.apply("billing", Registrations.of("billing", null, T0));
        assertEquals(BackupWindow.parse("15:19"), schedule.find(InstanceId.of("billing")).orElseThrow().window());
    }

    @Test
    void contradictoryRecordsAreRejectedAndChangeNothing() {
        assertThrows(IllegalArgumentException.class, () -> registrations.apply("orders-db", Registrations.of("billing", null, T0)));
        assertThrows(IllegalArgumentException.class, () -> registrations.apply("orders-db", Registrations.of("orders-db", 1440, T0)));
        assertThrows(IllegalArgumentException.class, () -> registrations.apply(null, Registrations.of("orders-db", null, T0)));
        assertThrows(IllegalArgumentException.class, () -> registrations.apply("Not_An_Id", null));
        assertEquals(0, schedule.size());
    }
}
