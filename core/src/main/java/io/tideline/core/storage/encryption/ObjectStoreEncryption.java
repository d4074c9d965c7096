package io.tideline.core.storage.encryption;

import io.tideline.core.ids.InstanceId;
import io.tideline.core.secrets.SecretStore;
import io.tideline.core.storage.ObjectStore;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Whether and how the stores of {@link io.tideline.core.storage.ObjectStores} encrypt: the one place
 * the decorator is applied, so every writer and reader of a bucket goes through it.
 */
public final class ObjectStoreEncryption {

    private final EncryptionSettings settings;
    private final KeyService keys;
    private final SecureRandom random;
    /** Whether this encryption started {@link CipherWarmUp} (at its first encrypting store). */
    private final AtomicBoolean warmedUp = new AtomicBoolean();

    public ObjectStoreEncryption(EncryptionSettings settings, KeyService keys, SecureRandom random) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.keys = Objects.requireNonNull(keys, "keys");
        this.random = Objects.requireNonNull(random, "random");
    }

    /** The default: encryption on, each instance's keys in its keyring secret of {@code secrets}. */
    public static ObjectStoreEncryption keyring(SecretStore secrets, Clock clock) {
        SecureRandom random = new SecureRandom();
        return new ObjectStoreEncryption(EncryptionSettings.defaults(), new KeyringKeyService(secrets, clock, random), random);
    }

    public EncryptionSettings settings() {
        return settings;
    }

    public KeyService keys() {
        return keys;
    }

    /** {@code store} of {@code instance}'s bucket, encrypting when encryption is on. */
    public ObjectStore apply(InstanceId instance, ObjectStore store) {
        if (!settings.enabled()) {
            return store;
        }
        if (warmedUp.compareAndSet(false, true)) {
            CipherWarmUp.start(); // AES-GCM runs at ~70 MB/s until C2 compiled it (issue 18.4)
        }
        return new EncryptingObjectStore(store, instance, keys, settings, random);
    }
}
