package io.tideline.core.secrets;

import java.util.Optional;

/**
 * Where passwords and storage keys live. Events and logs carry only a {@link SecretRef};
 * the value is read from here by whoever is entitled to it.
 */
public interface SecretStore {

    /** Stores (or replaces) the secret atomically: a reader sees the old value or the new one, never half. */
    void put(SecretRef ref, String value);

    /**
     * Stores the secret only if none is stored under {@code ref}; returns whether it did. Stores that can
     * do it atomically (across processes) override this; the default checks, then writes.
     */
    default boolean putIfAbsent(SecretRef ref, String value) {
        if (find(ref).isPresent()) {
            return false;
        }
        put(ref, value);
        return true;
    }

    Optional<String> find(SecretRef ref);

    /** The secret's value; a clear error naming the reference if there is none. */
    default String get(SecretRef ref) {
        return find(ref).orElseThrow(() -> new IllegalStateException("no secret stored under " + ref));
    }

    void delete(SecretRef ref);
}
