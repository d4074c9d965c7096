package io.tideline.core.storage;

import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What every {@link ObjectStore} implementation refuses before doing anything, so that a fast
 * in-memory store and S3 turn away the same calls: keys S3 cannot use, metadata it cannot carry,
 * and the reserved {@value ObjectStore#SHA256_METADATA} entry.
 */
public final class ObjectStoreArguments {

    private static final Pattern METADATA_KEY = Pattern.compile("[a-z0-9][a-z0-9-]*");

    private ObjectStoreArguments() {
    }

    /** Fails unless {@code key} is a usable object key (non-empty, not absolute, at most 1,024 characters). */
    public static void requireKey(String key) {
        if (key == null || key.isEmpty() || key.startsWith("/") || key.length() > 1024) {
            throw new IllegalArgumentException("not a usable object key: '" + key + "'");
        }
    }

    /** An immutable copy of {@code metadata}, or an {@link IllegalArgumentException} naming the entry a store cannot carry. */
    public static Map<String, String> checkedMetadata(Map<String, String> metadata) {
        Objects.requireNonNull(metadata, "metadata");
        for (Map.Entry<String, String> entry : metadata.entrySet()) {
            if (!METADATA_KEY.matcher(entry.getKey()).matches()) {
                throw new IllegalArgumentException("metadata keys are lower-case [a-z0-9-]: '" + entry.getKey() + "'");
            }
            if (ObjectStore.SHA256_METADATA.equals(entry.getKey())) {
                throw new IllegalArgumentException("metadata key '" + ObjectStore.SHA256_METADATA + "' is reserved: the store computes it");
            }
            if (entry.getValue() == null || !entry.getValue().chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
                throw new IllegalArgumentException("metadata value of '" + entry.getKey() + "' must be printable ASCII");
            }
        }
        return Map.copyOf(metadata);
    }
}
