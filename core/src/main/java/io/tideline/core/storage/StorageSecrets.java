package io.tideline.core.storage;

import io.tideline.core.ids.InstanceId;
import io.tideline.core.ids.RestoreId;
import io.tideline.core.secrets.SecretRef;

/** Where storage credentials live in the {@link io.tideline.core.secrets.SecretStore}: the one place these names are spelled. */
public final class StorageSecrets {

    private StorageSecrets() {
    }

    /** The access key id of the instance's bucket-scoped identity. */
    public static SecretRef accessKey(InstanceId instance) {
        return SecretRef.of("instances/" + instance.value() + "/s3-access-key");
    }

    /** The secret key of the instance's bucket-scoped identity. */
    public static SecretRef secretKey(InstanceId instance) {
        return SecretRef.of("instances/" + instance.value() + "/s3-secret-key");
    }

    /** The access key id of the read-only identity minted for one restore (to read its source's bucket). */
    public static SecretRef readAccessKey(RestoreId restore) {
        return SecretRef.of("restores/" + restore.value() + "/s3-read-access-key");
    }

    /** The secret key of the read-only identity minted for one restore. */
    public static SecretRef readSecretKey(RestoreId restore) {
        return SecretRef.of("restores/" + restore.value() + "/s3-read-secret-key");
    }
}
