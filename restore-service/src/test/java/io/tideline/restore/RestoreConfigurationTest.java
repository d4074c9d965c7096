package io.tideline.restore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.micronaut.context.ApplicationContext;
import io.tideline.core.config.StartFailure;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RestoreConfigurationTest {

    private static ApplicationContext start(Map<String, Object> properties) {
        Map<String, Object> all = new HashMap<>(properties);
        all.put("tideline.kafka.topics.create-on-startup", false);
        return ApplicationContext.run(all);
    }

    @Test
    void anEmptyConfigurationBindsTheDefaults() {
        try (ApplicationContext ctx = start(Map.of())) {
            RestoreConfiguration config = ctx.getBean(RestoreConfiguration.class);
            assertEquals(RestoreConfiguration.defaults(), config);
            assertEquals(8, config.walPrefetch());
            assertEquals(Duration.ofHours(2), config.promotionTimeout());
            assertEquals(Optional.empty(), config.walBaseUrl());
        }
    }

    @Test
    void propertiesBindByTheirKebabCaseNames() {
        try (ApplicationContext ctx = start(Map.of("tideline.restore.max-concurrent-restores", 3,
                "tideline.restore.abandon-after", "3s", "tideline.restore.progress-interval", "500ms",
                "tideline.restore.wal-base-url", "http://10.0.0.7:8080"))) {
            RestoreConfiguration config = ctx.getBean(RestoreConfiguration.class);
            assertEquals(3, config.maxConcurrentRestores());
            assertEquals(Duration.ofSeconds(3), config.abandonAfter());
            assertEquals(Duration.ofMillis(500), config.progressInterval());
            assertEquals(Optional.of("http://10.0.0.7:8080"), config.walBaseUrl());
            assertEquals(RestoreConfiguration.defaults().curl(), config.curl());
        }
    }

    @Test
    void aBadValueStopsTheStartNamingTheProperty() {
        RuntimeException e = assertThrows(RuntimeException.class,
                () -> start(Map.of("tideline.restore.abandon-after", "3s")).close());
        assertEquals("tideline.restore.abandon-after must be at least three tideline.restore.progress-interval (6s), not 3s",
                StartFailure.reason(e));
        e = assertThrows(RuntimeException.class, () -> start(Map.of("tideline.restore.curl", "curl' ; rm")).close());
        assertEquals("tideline.restore.curl must be a plain command or path, not 'curl' ; rm'", StartFailure.reason(e));
    }
}
