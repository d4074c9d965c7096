package io.tideline.core.storage;

import io.tideline.core.ids.InstanceId;
import io.tideline.core.ids.RestoreId;
import io.tideline.core.secrets.SecretRef;
import java.time.Instant;
import java.util.Objects;

/**
 * A read-only identity for one bucket, minted for one restore ({@link StorageProvisioner#grantReadOnly}): it may
 * GET, HEAD and LIST the source instance's bucket and nothing else, until {@code expiresAt} or its revocation,
 * whichever comes first. Carries references, never key material, so it may travel in requests and logs; the
 * one who reads the bucket with it fetches the keys from the secret store.
 */
public record ReadOnlyGrant(InstanceId source, RestoreId restore, String bucket, SecretRef accessKeyRef,
                            SecretRef secretKeyRef, Instant expiresAt) {

    public ReadOnlyGrant {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(restore, "restore");
        Objects.requireNonNull(accessKeyRef, "accessKeyRef");
        Objects.requireNonNull(secretKeyRef, "secretKeyRef");
        Objects.requireNonNull(expiresAt, "expiresAt");
        if (!BucketLayout.bucketName(source).equals(bucket)) {
            throw new IllegalArgumentException("instance " + source + " owns bucket " + BucketLayout.bucketName(source)
                    + ", not '" + bucket + "'");
        }
    }

    /** The grant of {@code restore} on {@code source}'s bucket, with the references {@link StorageSecrets} spells. */
    public static ReadOnlyGrant of(InstanceId source, RestoreId restore, Instant expiresAt) {
        return new ReadOnlyGrant(source, restore, BucketLayout.bucketName(source), StorageSecrets.readAccessKey(restore),
                StorageSecrets.readSecretKey(restore), expiresAt);
    }
}
