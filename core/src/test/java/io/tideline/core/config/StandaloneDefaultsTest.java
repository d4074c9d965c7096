package io.tideline.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.micronaut.context.ApplicationContext;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StandaloneDefaultsTest {

    private static final String KEY = "tideline.test.standalone-defaults.host";

    @Test
    void aDefaultAppliesWhenNothingElseSaysOtherwise() {
        try (ApplicationContext context = ApplicationContext.builder().deduceEnvironment(false)
                .propertySources(StandaloneDefaults.of(Map.of(KEY, "127.0.0.1"))).build()) {
            context.getEnvironment().start();
            assertEquals("127.0.0.1", context.getProperty(KEY, String.class).orElseThrow());
        }
    }

    @Test
    void aSystemPropertyOverridesTheDefault() {
        // the fleet harness binds a service to its host's address this way (or by environment)
        System.setProperty(KEY, "10.231.0.41");
        try (ApplicationContext context = ApplicationContext.builder().deduceEnvironment(false)
                .propertySources(StandaloneDefaults.of(Map.of(KEY, "127.0.0.1"))).build()) {
            context.getEnvironment().start();
            assertEquals("10.231.0.41", context.getProperty(KEY, String.class).orElseThrow());
        } finally {
            System.clearProperty(KEY);
        }
    }
}
