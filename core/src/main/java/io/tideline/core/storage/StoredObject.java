package io.tideline.core.storage;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What the object store holds under a key, as far as the call that produced this value knows it.
 *
 * @param key          the object's key inside the bucket
 * @param size         stored size in bytes
 * @param lastModified when the store last wrote it (UTC)
 * @param sha256       the whole object's sha256 when known: always after a put or a completed
 *                     multipart upload, from metadata on {@code head}, never from a listing
 * @param metadata     the caller's user metadata (lower-case keys), without the reserved
 *                     {@value ObjectStore#SHA256_METADATA} entry; empty in listings
 */
public record StoredObject(String key, long size, Instant lastModified, Optional<Sha256> sha256,
                           Map<String, String> metadata) {

    public StoredObject {
        if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException("object key is missing");
        }
        if (size < 0) {
            throw new IllegalArgumentException("negative object size " + size + " for " + key);
        }
        Objects.requireNonNull(lastModified, "lastModified");
        Objects.requireNonNull(sha256, "sha256");
        metadata = Map.copyOf(metadata);
    }

    /** The sha256, or a clear error when this value came from a listing. */
    public Sha256 requireSha256() {
        return sha256.orElseThrow(() -> new IllegalStateException("no sha256 known for " + key));
    }
}
