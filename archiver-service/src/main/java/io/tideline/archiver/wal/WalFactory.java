package io.tideline.archiver.wal;

import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Requires;
import io.tideline.archiver.ArchiverConfig;
import io.tideline.core.kafka.EventPublisher;
import io.tideline.core.secrets.SecretStore;
import io.tideline.core.storage.ObjectStores;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.util.Optional;

/** Wires WAL streaming; off with {@code tideline.archiver.enabled=false} or {@code tideline.archiver.wal.enabled=false}. */
@Factory
@Requires(property = ArchiverConfig.ENABLED, notEquals = "false")
@Requires(property = WalSettings.ENABLED, notEquals = "false")
class WalFactory {

    @Singleton
    @Bean(preDestroy = "close")
    WalStreams walStreams(WalSettings settings, SecretStore secrets, ObjectStores stores,
                          @jakarta.inject.Named(io.tideline.core.kafka.KafkaPrincipals.ARCHIVER) EventPublisher publisher,
                          MeterRegistry meters, Clock clock, Optional<WalIndex.Factory> indexes,
                          StreamStartSettings starts) {
        // a failed publish is counted on the instance's meter (the same one its stream registered)
        WalEvents events = new KafkaWalEvents(publisher, clock,
                instance -> meters.counter(WalStreamMetrics.PUBLISH_ERRORS, "instance", instance.value()).increment());
        return new WalStreams(settings, secrets, stores, events, meters, clock, indexes.orElse((b, l, t, s, c) -> null), starts);
    }

    @Singleton
    StreamedInstances streamedInstances(WalStreams streams) {
        return new StreamedInstances(streams);
    }
}
