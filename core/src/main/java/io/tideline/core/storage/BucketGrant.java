package io.tideline.core.storage;

import io.tideline.core.ids.InstanceId;
import io.tideline.core.secrets.SecretRef;
import java.util.Objects;

/**
 * An instance's bucket and where its bucket-scoped credentials are kept. Carries references, never
 * key material, so it may travel in events and logs.
 */
public record BucketGrant(InstanceId instance, String bucket, SecretRef accessKeyRef, SecretRef secretKeyRef) {

    public BucketGrant {
        Objects.requireNonNull(instance, "instance");
        Objects.requireNonNull(accessKeyRef, "accessKeyRef");
        Objects.requireNonNull(secretKeyRef, "secretKeyRef");
        if (!BucketLayout.bucketName(instance).equals(bucket)) {
            throw new IllegalArgumentException("instance " + instance + " owns bucket " + BucketLayout.bucketName(instance)
                    + ", not '" + bucket + "'");
        }
    }

    /** The grant for {@code instance} as laid out by {@link BucketLayout} and {@link StorageSecrets}. */
    public static BucketGrant of(InstanceId instance) {
        return new BucketGrant(instance, BucketLayout.bucketName(instance), StorageSecrets.accessKey(instance),
                StorageSecrets.secretKey(instance));
    }
}
