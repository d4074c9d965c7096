package io.tideline.core.storage.encryption;

import io.tideline.core.ids.InstanceId;
import io.tideline.core.storage.StorageException;
import java.time.Instant;

/**
 * The object was written under keys that were destroyed on purpose ({@code instance remove --shred}):
 * it can never be read again. Permanent; the message says so, so that no one keeps retrying a restore.
 */
public final class KeysDestroyedException extends StorageException {

    private final InstanceId instance;
    private final Instant destroyedAt;

    public KeysDestroyedException(InstanceId instance, Instant destroyedAt, String bucket, String key) {
        super("the keys of instance " + instance + " were destroyed (crypto-shredded) at " + destroyedAt
                + ": its backups and WAL can never be read again" + (key == null ? "" : " (reading " + bucket + "/" + key + ")"),
                bucket, key, false, null);
        this.instance = instance;
        this.destroyedAt = destroyedAt;
    }

    public InstanceId instance() {
        return instance;
    }

    public Instant destroyedAt() {
        return destroyedAt;
    }

    /** The same fact about one object being read. */
    KeysDestroyedException reading(String bucket, String key) {
        return new KeysDestroyedException(instance, destroyedAt, bucket, key);
    }
}
