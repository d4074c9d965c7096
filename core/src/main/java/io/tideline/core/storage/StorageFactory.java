package io.tideline.core.storage;

import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Requires;
import io.tideline.core.secrets.SecretStore;
import io.tideline.core.storage.encryption.EncryptionSettings;
import io.tideline.core.storage.encryption.KeyService;
import io.tideline.core.storage.encryption.KeyringKeyService;
import io.tideline.core.storage.encryption.ObjectStoreEncryption;
import jakarta.inject.Singleton;
import java.security.SecureRandom;
import java.time.Clock;

/** Micronaut wiring of the storage beans; services inject {@link ObjectStores}. */
@Factory
public class StorageFactory {

    @Singleton
    @Requires(beans = {SecretStore.class, Clock.class})
    @Bean(preDestroy = "close")
    ObjectStores objectStores(ObjectStoreSettings settings, SecretStore secrets, Clock clock, ObjectStoreEncryption encryption) {
        return new ObjectStores(settings, secrets, clock, encryption);
    }

    /** The embedded key service: each instance's keyring in the secret store. A KMS-backed one replaces this bean. */
    @Singleton
    @Requires(beans = {SecretStore.class, Clock.class})
    KeyService keyService(SecretStore secrets, Clock clock) {
        return new KeyringKeyService(secrets, clock, new SecureRandom());
    }

    @Singleton
    @Requires(beans = KeyService.class)
    ObjectStoreEncryption objectStoreEncryption(EncryptionSettings settings, KeyService keys) {
        return new ObjectStoreEncryption(settings, keys, new SecureRandom());
    }
}
