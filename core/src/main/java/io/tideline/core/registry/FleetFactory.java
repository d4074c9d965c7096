package io.tideline.core.registry;

import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.annotation.Secondary;
import io.micronaut.context.annotation.Value;
import io.tideline.core.instance.InstanceProvisioner;
import io.tideline.core.instance.LocalPostgresProvisioner;
import io.tideline.core.kafka.EventPublisher;
import io.tideline.core.kafka.Topics;
import io.tideline.core.secrets.DirectorySecretStore;
import io.tideline.core.secrets.SecretStore;
import io.tideline.core.storage.EmbeddedStorageProvisioner;
import io.tideline.core.storage.ObjectStoreSettings;
import io.tideline.core.storage.S3Clients;
import io.tideline.core.storage.StorageProvisioner;
import io.tideline.schemas.serde.EventCodec;
import jakarta.inject.Singleton;
import java.security.SecureRandom;
import java.time.Clock;

/**
 * The beans every service shares: the clock, the secret store, the fleet read model, and the local
 * provisioners. All are {@link Secondary}, so a service or a test that defines its own (a moved
 * {@link Clock}, a production provisioner) wins without a conflict.
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
    @Requires(condition = FleetConditions.HasSecretsDir.class)
    SecretStore secretStore(FleetConfiguration configuration) {
        return new DirectorySecretStore(configuration.effectiveSecretsDir().orElseThrow());
    }

    @Singleton
    @Secondary
    @Requires(property = "kafka.bootstrap.servers")
    @Bean(preDestroy = "close")
    InstanceRegistry instanceRegistry(@Value("${kafka.bootstrap.servers}") String bootstrapServers, EventCodec codec) {
        return new InstanceRegistry(bootstrapServers, Topics.INSTANCES, codec).start();
    }

    @Singleton
    @Secondary
    @Requires(property = FleetConfiguration.PREFIX + ".home")
    @Requires(beans = SecretStore.class)
    InstanceProvisioner instanceProvisioner(FleetConfiguration configuration, SecretStore secrets, Clock clock) {
        return new LocalPostgresProvisioner(configuration.localPostgres().orElseThrow(), secrets, clock);
    }

    @Singleton
    @Secondary
    @Requires(property = FleetConfiguration.PREFIX + ".storage-admin-access-key")
    @Requires(property = FleetConfiguration.PREFIX + ".storage-identities-dir")
    @Requires(beans = SecretStore.class)
    StorageProvisioner storageProvisioner(FleetConfiguration configuration, ObjectStoreSettings settings,
                                          SecretStore secrets, Clock clock) {
        return new EmbeddedStorageProvisioner(
                S3Clients.create(settings, configuration.getStorageAdminAccessKey(), configuration.getStorageAdminSecretKey()),
                configuration.getStorageIdentitiesDir(), secrets, settings, clock, new SecureRandom());
    }

    @Singleton
    @Requires(beans = {InstanceProvisioner.class, StorageProvisioner.class, SecretStore.class, EventPublisher.class})
    InstanceOnboarding instanceOnboarding(InstanceProvisioner instances, StorageProvisioner storage, SecretStore secrets,
                                          EventPublisher publisher, Clock clock) {
        return new InstanceOnboarding(instances, storage, secrets, publisher, clock);
    }
}
