package io.tideline.core.storage;

import java.util.Optional;

/**
 * An idempotent write found a DIFFERENT object already stored under its key. Nothing was
 * overwritten. For WAL this means two histories claim the same segment: an operator must look.
 */
public final class ObjectConflictException extends StorageException {

    private final Sha256 attempted;
    private final Sha256 existing;

    public ObjectConflictException(String bucket, String key, Sha256 attempted, Optional<Sha256> existing) {
        super("refusing to overwrite " + location(bucket, key) + ": it holds different content (stored sha256 "
                        + existing.map(Sha256::hex).orElse("unknown") + ", new sha256 " + attempted.hex() + ")",
                bucket, key, false, null);
        this.attempted = attempted;
        this.existing = existing.orElse(null);
    }

    public Sha256 attempted() {
        return attempted;
    }

    /** The stored object's sha256; empty when it has none recorded (then it is treated as different). */
    public Optional<Sha256> existing() {
        return Optional.ofNullable(existing);
    }
}
