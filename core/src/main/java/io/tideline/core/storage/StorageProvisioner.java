package io.tideline.core.storage;

import io.tideline.core.ids.InstanceId;
import io.tideline.core.ids.RestoreId;
import java.time.Instant;

/**
 * Creates and removes an instance's storage: its bucket and credentials that reach that bucket only.
 * Implementations: module {@code platform-local}'s embedded one (identities of the embedded S3 server);
 * production would use IAM/STS or MinIO policies.
 */
public interface StorageProvisioner {

    /**
     * Makes sure the instance's bucket exists and that credentials scoped to it are in the secret store.
     * Idempotent: calling it again returns the same grant and keeps the existing credentials.
     */
    BucketGrant provision(InstanceId instance);

    /**
     * Removes every object of the instance's bucket, the bucket and its credentials. Idempotent. Callers
     * holding a store for the instance (see {@link ObjectStores#evict}) must drop it.
     */
    void deprovision(InstanceId instance);

    /**
     * Mints an identity that may only read {@code source}'s bucket (GET, HEAD, LIST), for one restore, ending at
     * {@code expiresAt} at the latest, with its keys in the secret store under the grant's references: whoever
     * reads the source for a restore elsewhere (a restore agent) gets this, never the source's own read-write key.
     * Idempotent per restore. Implementations that cannot scope an identity that way refuse.
     *
     * @throws UnsupportedOperationException when this provisioner cannot mint read-only identities
     */
    default ReadOnlyGrant grantReadOnly(InstanceId source, RestoreId restore, Instant expiresAt) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot mint read-only identities");
    }

    /** Revokes the read-only identity of {@code restore} and removes its keys; a no-op when there is none. */
    default void revokeReadOnly(RestoreId restore) {
    }

    /**
     * Runs the code paths of {@link #provision} once, creating nothing (a restore service's first restore otherwise
     * pays for loading and compiling them: issue 18.2). Called in the background at start; never throws.
     */
    default void warmUp() {
    }
}
