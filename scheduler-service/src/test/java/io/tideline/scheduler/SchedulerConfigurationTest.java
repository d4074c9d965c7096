package io.tideline.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tideline.core.ids.InstanceId;
import io.tideline.scheduler.window.BackupWindow;
import io.tideline.scheduler.window.WindowBand;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SchedulerConfigurationTest {

    @Test
    void defaultsAreAThirtySecondTickOverTheWholeDay() {
        SchedulerConfiguration defaults = SchedulerConfiguration.defaults();
        assertEquals(Duration.ofSeconds(30), defaults.tick());
        assertEquals(Duration.ofMinutes(5), defaults.replayMaxWait());
        assertEquals(WindowBand.WHOLE_DAY, defaults.windowPolicy().band());
        assertTrue(defaults.windowPolicy().overrides().isEmpty());
    }

    @Test
    void overridesAndBandBecomeTheWindowPolicy() {
        SchedulerConfiguration config = new SchedulerConfiguration(Duration.ofSeconds(10), "22:00-04:00",
                Map.of("orders-db", "03:30"), Duration.ofMinutes(1));
        assertEquals(BackupWindow.parse("03:30"), config.windowPolicy().windowFor(InstanceId.of("orders-db"), Optional.empty()));
        assertEquals(WindowBand.parse("22:00-04:00"), config.windowPolicy().band());
    }

    @Test
    void typosStopTheServiceAtStartupWithThePropertyName() {
        IllegalArgumentException band = assertThrows(IllegalArgumentException.class,
                () -> new SchedulerConfiguration(Duration.ofSeconds(30), "22-04", Map.of(), Duration.ofMinutes(5)));
        assertTrue(band.getMessage().startsWith("tideline.scheduler.band"), band.getMessage());
        IllegalArgumentException window = assertThrows(IllegalArgumentException.class,
                () -> new SchedulerConfiguration(Duration.ofSeconds(30), "00:00-24:00", Map.of("orders-db", "3:30"), Duration.ofMinutes(5)));
        assertTrue(window.getMessage().startsWith("tideline.scheduler.windows.orders-db"), window.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> new SchedulerConfiguration(Duration.ZERO, "00:00-24:00", Map.of(), Duration.ofMinutes(5)));
        assertThrows(IllegalArgumentException.class,
                () -> new SchedulerConfiguration(Duration.ofSeconds(30), "00:00-24:00", Map.of("Bad_Id", "03:30"), Duration.ofMinutes(5)));
    }
}
