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
import java.util.concurrent.ScheduledExecutorService;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The per-instance {@link ObjectStore}s, each on its own client signed with that instance's
 * bucket-scoped credentials from the secret store, so code acting for one instance cannot reach
 * another's bucket even by mistake. Clients are cached and closed here. All of them send their requests
 * through ONE HTTP connection pool for the endpoint ({@link S3Clients#sharedHttpClient}), made on first use
 * and closed after the last client: a replica streaming a thousand instances keeps a few connections,
 * not a pool per instance (issue 18). Likewise one timer ({@link S3Clients#sharedScheduler}) arms every
 * client's call timeouts, not five threads per instance.
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
    private SdkHttpClient httpClient;
    private ScheduledExecutorService scheduler;

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
        S3Client client = S3Clients.builder(settings, httpClient(), scheduler(), secrets.get(grant.accessKeyRef()),
                secrets.get(grant.secretKeyRef())).build();
        return new Entry(client, encryption.apply(instance, new S3ObjectStore(client, grant.bucket(), settings, clock)));
    }

    /**
     * Makes this process's first real request as quick as later ones: the S3 SDK's first client and request load
     * and compile thousands of classes (endpoint rules, signer, XML), about a second on a cold JVM, which the first
     * restore after start-up paid. Opens the shared pool, builds a client with throwaway credentials and sends one
     * HEAD for a bucket that does not exist; its refusal is the expected answer. Never throws.
     */
    public void warmUp() {
        try (S3Client client = S3Clients.builder(settings, httpClient(), scheduler(), "tideline-warm-up", "tideline-warm-up").build()) {
            client.headBucket(b -> b.bucket("tideline-warm-up"));
        } catch (RuntimeException expected) {
            // refused (unknown key or bucket) or unreachable: the code is loaded and compiled either way
        }
    }

    /** The endpoint's connection pool shared by every instance's client; made on first use. */
    synchronized SdkHttpClient httpClient() {
        if (httpClient == null) {
            httpClient = S3Clients.sharedHttpClient(settings);
        }
        return httpClient;
    }

    /** The timer of every instance's client's call timeouts; made on first use. */
    synchronized ScheduledExecutorService scheduler() {
        if (scheduler == null) {
            scheduler = S3Clients.sharedScheduler();
        }
        return scheduler;
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
        synchronized (this) {
            if (httpClient != null) {
                httpClient.close(); // after every client built on it
                httpClient = null;
            }
            if (scheduler != null) {
                scheduler.shutdownNow(); // only armed timeouts of calls no longer running
                scheduler = null;
            }
        }
    }
}
