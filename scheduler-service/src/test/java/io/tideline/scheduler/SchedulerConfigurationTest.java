package io.tideline.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micronaut.context.ApplicationContext;
import io.tideline.core.config.StartFailure;
import io.tideline.core.ids.InstanceId;
import io.tideline.scheduler.emit.BackupCommandsListener;
import io.tideline.scheduler.emit.DailyBackupClock;
import io.tideline.scheduler.registry.BackupSchedule;
import io.tideline.scheduler.window.BackupWindow;
import io.tideline.scheduler.window.WindowBand;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SchedulerConfigurationTest {

    private static ApplicationContext start(Map<String, Object> properties) {
        Map<String, Object> all = new HashMap<>(properties);
        all.put("tideline.kafka.topics.create-on-startup", false);
        // the scheduler is on (the default) and its registry needs a broker address; nothing is read from it here
        all.put("kafka.bootstrap.servers", "127.0.0.1:1");
        return ApplicationContext.run(all);
    }

    @Test
    void anEmptyConfigurationBindsTheDefaults() {
        try (ApplicationContext ctx = start(Map.of())) {
            assertEquals(SchedulerConfiguration.defaults(), ctx.getBean(SchedulerConfiguration.class));
            assertTrue(ctx.getBean(SchedulerConfiguration.class).enabled());
            assertTrue(ctx.containsBean(DailyBackupClock.class) && ctx.containsBean(BackupCommandsListener.class), "on by default");
        }
    }

    @Test
    void propertiesBindByTheirKebabCaseNamesAndWindowsAsAMap() {
        try (ApplicationContext ctx = start(Map.of("tideline.scheduler.replay-max-wait", "90s",
                "tideline.scheduler.band", "22:00-04:00", "tideline.scheduler.windows.orders-db", "03:30"))) {
            SchedulerConfiguration config = ctx.getBean(SchedulerConfiguration.class);
            assertEquals(Duration.ofSeconds(90), config.replayMaxWait());
            assertEquals(WindowBand.parse("22:00-04:00"), config.windowPolicy().band());
            assertEquals(Map.of("orders-db", "03:30"), config.windows());
            assertEquals(Duration.ofSeconds(30), config.tick());
        }
    }

    @Test
    void switchedOffTheSchedulerMakesNoneOfItsBeans() {
        try (ApplicationContext off = start(Map.of(SchedulerConfiguration.ENABLED, false))) {
            assertFalse(off.containsBean(DailyBackupClock.class), "no clock");
            assertFalse(off.containsBean(BackupCommandsListener.class), "no replay consumer");
            assertFalse(off.containsBean(BackupSchedule.class), "no factory bean");
            assertFalse(off.getBean(SchedulerConfiguration.class).enabled());
        }
    }

    @Test
    void aBadValueStopsTheStartNamingTheProperty() {
        RuntimeException e = assertThrows(RuntimeException.class,
                () -> start(Map.of("tideline.scheduler.windows.orders-db", "3:30")).close());
        assertEquals("tideline.scheduler.windows.orders-db: not a UTC backup window HH:mm: '3:30'", StartFailure.reason(e));
    }

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
                Map.of("orders-db", "03:30"), Duration.ofMinutes(1), true);
        assertEquals(BackupWindow.parse("03:30"), config.windowPolicy().windowFor(InstanceId.of("orders-db"), Optional.empty()));
        assertEquals(WindowBand.parse("22:00-04:00"), config.windowPolicy().band());
    }

    @Test
    void typosStopTheServiceAtStartupWithThePropertyName() {
        IllegalArgumentException band = assertThrows(IllegalArgumentException.class,
                () -> new SchedulerConfiguration(Duration.ofSeconds(30), "22-04", Map.of(), Duration.ofMinutes(5), true));
        assertTrue(band.getMessage().startsWith("tideline.scheduler.band"), band.getMessage());
        IllegalArgumentException window = assertThrows(IllegalArgumentException.class,
                () -> new SchedulerConfiguration(Duration.ofSeconds(30), "00:00-24:00", Map.of("orders-db", "3:30"), Duration.ofMinutes(5), true));
        assertTrue(window.getMessage().startsWith("tideline.scheduler.windows.orders-db"), window.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> new SchedulerConfiguration(Duration.ZERO, "00:00-24:00", Map.of(), Duration.ofMinutes(5), true));
        assertThrows(IllegalArgumentException.class,
                () -> new SchedulerConfiguration(Duration.ofSeconds(30), "00:00-24:00", Map.of("Bad_Id", "03:30"), Duration.ofMinutes(5), true));
    }
}
