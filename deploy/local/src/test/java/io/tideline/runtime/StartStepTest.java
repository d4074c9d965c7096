package io.tideline.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.micronaut.context.ApplicationContext;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StartStepTest {

    /** The runtime's one context with every service, refusing a setting: the person reads which one and why. */
    @Test
    void aBadSettingIsReportedWithItsPropertyNotWithTheContainersWrapper() {
        Map<String, Object> properties = Map.of("tideline.kafka.topics.create-on-startup", false,
                "kafka.bootstrap.servers", "127.0.0.1:1",
                "tideline.archiver.wal.flush-interval", "500ms");
        EmbeddedRuntime.RuntimeStartException e = assertThrows(EmbeddedRuntime.RuntimeStartException.class,
                () -> EmbeddedRuntime.step("the services", () -> ApplicationContext.run(properties).close()));
        assertEquals("cannot start the services: tideline.archiver.wal.flush-interval must be at least 1s, not 500ms",
                e.getMessage());
    }
}
