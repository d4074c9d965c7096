package io.tideline.core.registry;

import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.annotation.Secondary;
import io.tideline.core.adoption.ServerAdoption;
import io.tideline.core.adoption.ServerProbe;
import io.tideline.core.instance.InstanceProvisioner;
import io.tideline.core.kafka.EventPublisher;
import io.tideline.core.kafka.KafkaClients;
import io.tideline.core.kafka.KafkaPrincipals;
import io.tideline.core.kafka.Topics;
import jakarta.inject.Named;
import io.tideline.core.secrets.SecretStore;
import io.tideline.core.storage.StorageProvisioner;
import io.tideline.schemas.serde.EventCodec;
import jakarta.inject.Singleton;
import java.time.Clock;

/**
 * The beans every service shares that need nothing of a platform: the clock, the fleet read model,
 * and the onboarding sequence over whichever provisioners and secret store the platform supplies
 * (module {@code platform-local}'s on a single machine). The clock and the read model are
 * {@link Secondary}, so a service or a test that defines its own (a moved {@link Clock}) wins
 * without a conflict.
 */
@Factory
public class FleetFactory {

    @Singleton
    @Secondary
    Clock clock() {
        return Clock.systemUTC();
    }

    @Singleton
    @Secondary
    @Requires(property = "kafka.bootstrap.servers")
    @Bean(preDestroy = "close")
    InstanceRegistry instanceRegistry(KafkaClients kafka, EventCodec codec) {
        return new InstanceRegistry(kafka.processConnection(), Topics.INSTANCES, codec).start();
    }

    @Singleton
    @Requires(beans = {InstanceProvisioner.class, StorageProvisioner.class, SecretStore.class, EventPublisher.class})
    InstanceOnboarding instanceOnboarding(InstanceProvisioner instances, StorageProvisioner storage, SecretStore secrets,
                                          // in a service context only the restore service onboards (restored instances)
                                          @Named(KafkaPrincipals.RESTORE) EventPublisher publisher, Clock clock) {
        return new InstanceOnboarding(instances, storage, secrets, publisher, clock);
    }

    /** Adoption of existing servers: needs no instance provisioner (nothing is made but a bucket). */
    @Singleton
    @Requires(beans = {StorageProvisioner.class, SecretStore.class, EventPublisher.class})
    ServerAdoption serverAdoption(StorageProvisioner storage, SecretStore secrets, EventPublisher publisher, Clock clock) {
        return new ServerAdoption(storage, secrets, publisher, clock, new ServerProbe(ServerAdoption.DEFAULT_CONNECT_TIMEOUT));
    }
}
