package io.tideline.core.storage;

import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Requires;
import io.tideline.core.secrets.SecretStore;
import jakarta.inject.Singleton;
import java.time.Clock;

/** Micronaut wiring of the storage beans; services inject {@link ObjectStores}. */
@Factory
public class StorageFactory {

    @Singleton
    @Requires(beans = {SecretStore.class, Clock.class})
    @Bean(preDestroy = "close")
    ObjectStores objectStores(ObjectStoreSettings settings, SecretStore secrets, Clock clock) {
        return new ObjectStores(settings, secrets, clock);
    }
}
