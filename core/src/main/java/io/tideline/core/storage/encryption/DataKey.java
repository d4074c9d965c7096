package io.tideline.core.storage.encryption;

import java.util.Objects;
import javax.crypto.SecretKey;

/** A fresh AES-256 data key for one object: the key itself (memory only) and its wrapped form (the object header). */
public record DataKey(SecretKey key, WrappedKey wrapped) {

    public DataKey {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(wrapped, "wrapped");
    }

    @Override
    public String toString() {
        return "DataKey[" + wrapped.keyId() + "]";
    }
}
