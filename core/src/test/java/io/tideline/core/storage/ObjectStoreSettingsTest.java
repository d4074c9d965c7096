package io.tideline.core.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.micronaut.context.ApplicationContext;
import io.tideline.core.config.StartFailure;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ObjectStoreSettingsTest {

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
            assertEquals(Duration.ofSeconds(5), settings.connectTimeout());
        }
    }

    @Test
    void defaultsAreTheNamedConstants() {
        try (ApplicationContext context = ApplicationContext.run(NO_KAFKA)) {
            ObjectStoreSettings settings = context.getBean(ObjectStoreSettings.class);
            assertEquals(Optional.empty(), settings.endpoint());
            assertEquals(16 * 1024 * 1024, settings.partSize());
            assertEquals(4, settings.maxInFlightParts());
            assertEquals(5, settings.maxAttempts());
            assertEquals(ObjectStoreSettings.MAX_LIST_PAGE_SIZE, settings.listPageSize());
            URI endpoint = URI.create("http://127.0.0.1:9000");
            assertEquals(ObjectStoreSettings.defaults(endpoint), new ObjectStoreSettings(Optional.of(endpoint), settings.region(),
                    settings.pathStyle(), settings.maxAttempts(), settings.partSize(), settings.maxInFlightParts(),
                    settings.listPageSize(), settings.connectTimeout(), settings.socketTimeout(), settings.callTimeout(), Optional.empty()));
        }
    }

    @Test
    void everyCallIsBoundedInTotalAndAnAnswerTimeoutBoundsEveryWait() {
        ObjectStoreSettings defaults = ObjectStoreSettings.defaults(URI.create("http://127.0.0.1:9000"));
        assertEquals(Duration.ofMinutes(10), defaults.callTimeout());
        ObjectStoreSettings quick = defaults.withAnswerTimeout(Duration.ofSeconds(3));
        assertEquals(Duration.ofSeconds(3), quick.connectTimeout());
        assertEquals(Duration.ofSeconds(3), quick.socketTimeout());
        assertEquals(Duration.ofSeconds(3), quick.callTimeout());
    }

    @Test
    void aPartSizeBelowTheS3MinimumIsRefusedWithTheReason() {
        ObjectStoreSettings defaults = ObjectStoreSettings.defaults(URI.create("http://127.0.0.1:9000"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> defaults.withParts(1024 * 1024, 4));
        assertEquals("tideline.storage.part-size must be at least 5242880 bytes (S3's minimum), not 1048576", e.getMessage());
    }

    @Test
    void aBadValueStopsTheStartNamingTheProperty() {
        RuntimeException e = assertThrows(RuntimeException.class, () -> ApplicationContext.run(Map.of(
                "tideline.kafka.topics.create-on-startup", "false", "tideline.storage.socket-timeout", "0s")));
        assertEquals("tideline.storage.socket-timeout must be positive, not 0s", StartFailure.reason(e));
    }
}
