package io.tideline.core.storage;

import java.util.Optional;

/**
 * The one classification of object-store failures: callers ask what a {@link StorageException} is
 * ({@link #classify}) or whether a failure was caused by one ({@link #causeOf}) instead of writing
 * {@code instanceof} chains. The exceptions themselves come from the store's own mapping of its errors
 * ({@code S3ObjectStore.translate}: 403 → access denied, 404 → not found, 5xx/429/throttling and
 * client-side I/O → unavailable, any other service error → a non-retriable {@link StorageException}).
 */
public final class StorageErrors {

    private StorageErrors() {
    }

    public static StorageFailure classify(StorageException e) {
        if (e instanceof ObjectConflictException) {
            return StorageFailure.CONFLICT;
        }
        if (e instanceof ChecksumMismatchException) {
            return StorageFailure.CORRUPT;
        }
        if (e instanceof NoSuchObjectException) {
            return StorageFailure.NOT_FOUND;
        }
        if (e instanceof StorageAccessDeniedException) {
            return StorageFailure.ACCESS_DENIED;
        }
        return e.isRetriable() ? StorageFailure.UNAVAILABLE : StorageFailure.REFUSED;
    }

    /** The first {@link StorageException} in {@code e}'s cause chain ({@code e} itself included), if any. */
    public static Optional<StorageException> causeOf(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof StorageException s) {
                return Optional.of(s);
            }
            if (c.getCause() == c) {
                break;
            }
        }
        return Optional.empty();
    }
}
