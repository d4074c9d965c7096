package io.tideline.restore;

import io.tideline.core.secrets.SecretRef;
import io.tideline.core.secrets.SecretStore;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** A {@link SecretStore} in a map. */
final class InMemorySecrets implements SecretStore {

    private final Map<SecretRef, String> values = new ConcurrentHashMap<>();

    @Override
    public void put(SecretRef ref, String value) {
        values.put(ref, value);
    }

    @Override
    public Optional<String> find(SecretRef ref) {
        return Optional.ofNullable(values.get(ref));
    }

    @Override
    public void delete(SecretRef ref) {
        values.remove(ref);
    }
}
