package io.tideline.core.window;

import java.time.Instant;
import java.util.Objects;

/**
 * One object of an instance's bucket as a listing shows it: its key, its size in bytes and when it
 * was last written. Retention deletes objects by key and reports the bytes it freed. The window's
 * pure view of an object; {@link io.tideline.core.storage.StoredObject} is the store's answer, with
 * checksum and metadata when the call knew them.
 */
public record ListedObject(String key, long size, Instant lastModified) {

    public ListedObject {
        if (key == null || key.isBlank()) {
            throw new IllegalArgumentException("object key is missing");
        }
        if (size < 0) {
            throw new IllegalArgumentException("object size is negative: " + size + " (" + key + ")");
        }
        Objects.requireNonNull(lastModified, () -> "lastModified of " + key);
    }
}
