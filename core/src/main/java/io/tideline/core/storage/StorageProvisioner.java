package io.tideline.core.storage;

import io.tideline.core.ids.InstanceId;

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
}
