package io.tideline.core.storage.encryption;

import java.util.Arrays;
import java.util.Objects;

/**
 * A data key encrypted by an instance's key-encryption key, as stored in an object's header.
 *
 * @param keyId      which key-encryption key (and version) wrapped it, in the key service's own notation
 *                   ({@code <keyring-id>:v<version>} for the keyring, a key ARN for a KMS); never secret
 * @param ciphertext the wrapped key; useless without the key service
 */
public record WrappedKey(String keyId, byte[] ciphertext) {

    public WrappedKey {
        if (keyId == null || keyId.isEmpty() || keyId.length() > 1024) {
            throw new IllegalArgumentException("a wrapped key needs a key id of 1..1024 characters");
        }
        Objects.requireNonNull(ciphertext, "ciphertext");
        ciphertext = ciphertext.clone();
    }

    @Override
    public byte[] ciphertext() {
        return ciphertext.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WrappedKey w && w.keyId.equals(keyId) && Arrays.equals(w.ciphertext, ciphertext);
    }

    @Override
    public int hashCode() {
        return keyId.hashCode() * 31 + Arrays.hashCode(ciphertext);
    }

    @Override
    public String toString() {
        return "WrappedKey[" + keyId + ", " + ciphertext.length + " bytes]";
    }
}
