package io.tideline.core.secrets;

import java.util.Optional;

/**
 * Where passwords and storage keys live. Events and logs carry only a {@link SecretRef};
 * the value is read from here by whoever is entitled to it.
 */
public interface SecretStore {

    /** Stores (or replaces) the secret atomically: a reader sees the old value or the new one, never half. */
    void put(SecretRef ref, String value);

    Optional<String> find(SecretRef ref);

    /** The secret's value; a clear error naming the reference if there is none. */
    default String get(SecretRef ref) {
        return find(ref).orElseThrow(() -> new IllegalStateException("no secret stored under " + ref));
    }

    void delete(SecretRef ref);
}
