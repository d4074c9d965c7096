package io.tideline.retention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.micronaut.context.ApplicationContext;
import io.tideline.core.config.StartFailure;
import io.tideline.retention.run.RetentionService;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RetentionConfigurationTest {

    @Test
    void defaultsAreSevenDaysHourlyAndADayForOrphans() {
        try (ApplicationContext ctx = ApplicationContext.run(Map.of("tideline.kafka.topics.create-on-startup", false))) {
            RetentionConfiguration config = ctx.getBean(RetentionConfiguration.class);
            assertEquals(RetentionConfiguration.defaults(), config);
            assertEquals(Duration.ofDays(7), config.period());
            assertEquals(Duration.ofHours(1), config.interval());
            assertEquals(Duration.ofDays(1), config.orphanAge());
        }
    }

    @Test
    void anInstancesOwnRetentionWinsAndShortPeriodsBind() {
        try (ApplicationContext ctx = ApplicationContext.run(Map.of("tideline.retention.period", "90s",
                "tideline.retention.orphan-age", "20s", "tideline.kafka.topics.create-on-startup", false))) {
            RetentionConfiguration config = ctx.getBean(RetentionConfiguration.class);
            assertEquals(new RetentionPolicy(Duration.ofSeconds(90), Duration.ofSeconds(20)), config.policyFor(Optional.empty()));
            assertEquals(new RetentionPolicy(Duration.ofDays(3), Duration.ofSeconds(20)), config.policyFor(Optional.of(3)));
        }
    }

    @Test
    void theSwitchTurnsTheServiceOff() {
        try (ApplicationContext ctx = ApplicationContext.run(Map.of("tideline.retention.enabled", "false",
                "kafka.bootstrap.servers", "127.0.0.1:1", "tideline.kafka.topics.create-on-startup", false))) {
            assertFalse(ctx.containsBean(RetentionService.class));
        }
    }

    @Test
    void aBadValueStopsTheStartNamingTheProperty() {
        RuntimeException e = assertThrows(RuntimeException.class, () -> ApplicationContext.run(Map.of(
                "tideline.retention.orphan-age", "0s", "tideline.kafka.topics.create-on-startup", false)).close());
        assertEquals("tideline.retention.orphan-age must be positive, not 0s", StartFailure.reason(e));
    }

    @Test
    void aZeroPeriodIsRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> new RetentionConfiguration(Duration.ZERO, Duration.ofHours(1), Duration.ofDays(1), Duration.ofSeconds(30)));
    }
}
