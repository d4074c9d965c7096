package io.tideline.core.verify;

import io.tideline.core.storage.Sha256;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One object a verification re-reads.
 *
 * @param key          its key in the bucket
 * @param role         what it is, for messages
 * @param size         its size as listed
 * @param lastModified its Last-Modified as listed: with {@code size}, the version that was read
 * @param expected     the sha256 recorded elsewhere (a backup part's, in its manifest); empty when the object
 *                     carries its own in metadata (manifests, WAL objects, history files)
 */
public record ObjectToVerify(String key, Role role, long size, Instant lastModified, Optional<Sha256> expected) {

    /** What an object is to the window. */
    public enum Role { MANIFEST, BACKUP_PART, WAL, HISTORY }

    public ObjectToVerify {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(lastModified, "lastModified");
        Objects.requireNonNull(expected, "expected");
    }
}
