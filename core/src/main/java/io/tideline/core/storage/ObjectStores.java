package io.tideline.core.storage;

import io.tideline.core.ids.InstanceId;
import io.tideline.core.secrets.SecretStore;
import io.tideline.core.storage.encryption.ObjectStoreEncryption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The per-instance {@link ObjectStore}s, each on its own client signed with that instance's
 * bucket-scoped credentials from the secret store, so code acting for one instance cannot reach
 * another's bucket even by mistake. Clients are cached (they pool connections) and closed here.
 */
public final class ObjectStores implements AutoCloseable {

    private record Entry(S3Client client, ObjectStore store) {
    }

    private final ObjectStoreSettings settings;
    private final SecretStore secrets;
    private final Clock clock;
    private final ObjectStoreEncryption encryption;
    private final Map<InstanceId, Entry> stores = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /** Stores that encrypt with the defaults, each instance's keys in its keyring in {@code secrets}. */
    public ObjectStores(ObjectStoreSettings settings, SecretStore secrets, Clock clock) {
        this(settings, secrets, clock, ObjectStoreEncryption.keyring(secrets, clock));
    }

    public ObjectStores(ObjectStoreSettings settings, SecretStore secrets, Clock clock, ObjectStoreEncryption encryption) {
        this.encryption = Objects.requireNonNull(encryption, "encryption");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.secrets = Objects.requireNonNull(secrets, "secrets");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * The store of {@code instance}'s bucket. Fails with a message naming the missing secret when the
     * instance's storage was never provisioned.
     */
    public ObjectStore forInstance(InstanceId instance) {
        if (closed) {
            throw new IllegalStateException("object stores are closed");
        }
        return stores.computeIfAbsent(instance, this::open).store();
    }

    private Entry open(InstanceId instance) {
        BucketGrant grant = BucketGrant.of(instance);
        S3Client client = S3Clients.create(settings, secrets.get(grant.accessKeyRef()), secrets.get(grant.secretKeyRef()));
        return new Entry(client, encryption.apply(instance, new S3ObjectStore(client, grant.bucket(), settings, clock)));
    }

    /** Drops and closes the cached store of {@code instance} (after deprovisioning or a key rotation). */
    public void evict(InstanceId instance) {
        Entry entry = stores.remove(instance);
        if (entry != null) {
            entry.client().close();
        }
    }

    @Override
    public void close() {
        closed = true;
        List<InstanceId> instances = new ArrayList<>(stores.keySet());
        instances.forEach(this::evict);
    }
}
