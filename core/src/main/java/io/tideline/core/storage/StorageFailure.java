package io.tideline.core.storage;

/**
 * What a failed object-store call means for whoever made it, as {@link StorageErrors#classify} decides.
 * Only {@link #UNAVAILABLE} may succeed by calling again later; the client has already retried it with
 * backoff by the time it is reported.
 */
public enum StorageFailure {

    /** Unreachable, timing out, 5xx or throttled through every attempt: retriable later. */
    UNAVAILABLE,
    /** HTTP 403: these credentials may not do this in this bucket; permanent until the grant changes. */
    ACCESS_DENIED,
    /** The key holds nothing (or nothing these credentials may see): permanent for that key. */
    NOT_FOUND,
    /** An idempotent write found different content under its key: integrity, never overwritten; a person must look. */
    CONFLICT,
    /** Bytes read do not hash to the sha256 recorded for them: integrity, the object is corrupt or was replaced. */
    CORRUPT,
    /** Any other refusal (a 4xx the store gives for this request, malformed metadata, a batch delete that failed): permanent. */
    REFUSED;

    public boolean retriable() {
        return this == UNAVAILABLE;
    }

    /** Whether the stored content contradicts what Tideline recorded or sent ({@link #CONFLICT}, {@link #CORRUPT}). */
    public boolean integrity() {
        return this == CONFLICT || this == CORRUPT;
    }
}
