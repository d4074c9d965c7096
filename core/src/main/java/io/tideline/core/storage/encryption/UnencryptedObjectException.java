package io.tideline.core.storage.encryption;

import io.tideline.core.storage.StorageException;

/**
 * An object without an encryption header where encryption is required: written before encryption was
 * turned on, or planted in the bucket. Refused unless {@code tideline.encryption.allow-unencrypted-reads}.
 */
public final class UnencryptedObjectException extends StorageException {

    public UnencryptedObjectException(String bucket, String key) {
        super("refusing " + bucket + "/" + key + ": it is not encrypted. Objects written before encryption was turned on "
                + "are read only with " + EncryptionSettings.PREFIX + ".allow-unencrypted-reads=true (docs/decisions.md)",
                bucket, key, false, null);
    }
}
