package io.tideline.core.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.micronaut.context.ApplicationContext;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class StorageConfigurationTest {

    /** Only the storage beans are under test: keep the Kafka topic initializer from reaching for a broker. */
    private static final Map<String, Object> NO_KAFKA = Map.of("tideline.kafka.topics.create-on-startup", "false");

    @Test
    void bindsTidelineStorageProperties() {
        try (ApplicationContext context = ApplicationContext.run(Map.of(
                "tideline.kafka.topics.create-on-startup", "false",
                "tideline.storage.endpoint", "http://127.0.0.1:9000",
                "tideline.storage.region", "eu-west-1",
                "tideline.storage.path-style", "false",
                "tideline.storage.max-attempts", "7",
                "tideline.storage.part-size", "33554432",
                "tideline.storage.max-in-flight-parts", "2",
                "tideline.storage.socket-timeout", "90s"))) {
            ObjectStoreSettings settings = context.getBean(ObjectStoreSettings.class);
            assertEquals(Optional.of(URI.create("http://127.0.0.1:9000")), settings.endpoint());
            assertEquals("eu-west-1", settings.region());
            assertEquals(false, settings.pathStyle());
            assertEquals(7, settings.maxAttempts());
            assertEquals(32 * 1024 * 1024, settings.partSize());
            assertEquals(2, settings.maxInFlightParts());
            assertEquals(Duration.ofSeconds(90), settings.socketTimeout());
            assertEquals(ObjectStoreSettings.DEFAULT_CONNECT_TIMEOUT, settings.connectTimeout());
        }
    }

    @Test
    void defaultsAreTheNamedConstants() {
        try (ApplicationContext context = ApplicationContext.run(NO_KAFKA)) {
            ObjectStoreSettings settings = context.getBean(ObjectStoreSettings.class);
            assertEquals(Optional.empty(), settings.endpoint());
            assertEquals(ObjectStoreSettings.DEFAULT_PART_SIZE, settings.partSize());
            assertEquals(ObjectStoreSettings.DEFAULT_MAX_IN_FLIGHT_PARTS, settings.maxInFlightParts());
            assertEquals(ObjectStoreSettings.DEFAULT_MAX_ATTEMPTS, settings.maxAttempts());
            assertEquals(ObjectStoreSettings.MAX_LIST_PAGE_SIZE, settings.listPageSize());
        }
    }

    @Test
    void aPartSizeBelowTheS3MinimumIsRefusedWithTheReason() {
        StorageConfiguration configuration = new StorageConfiguration();
        configuration.setPartSize(1024 * 1024);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, configuration::toSettings);
        assertEquals(true, e.getMessage().contains("partSize"), e.getMessage());
    }
}
