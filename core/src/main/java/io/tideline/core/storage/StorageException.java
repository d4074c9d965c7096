package io.tideline.core.storage;

import java.util.Optional;

/**
 * Anything the object store could not do. Subclasses name the cases callers act on; what a failure
 * is (retriable, permanent, an integrity failure) is {@link StorageErrors#classify}'s answer, which
 * callers ask instead of testing subclasses. The client has already retried with backoff by the time
 * one of these is thrown.
 */
public class StorageException extends RuntimeException {

    private final String bucket;
    private final String key;
    private final boolean retriable;

    public StorageException(String message, String bucket, String key, boolean retriable, Throwable cause) {
        super(message, cause);
        this.bucket = bucket;
        this.key = key;
        this.retriable = retriable;
    }

    public String bucket() {
        return bucket;
    }

    /** The key the failed operation was about; empty for bucket-wide operations such as a listing. */
    public Optional<String> key() {
        return Optional.ofNullable(key);
    }

    /** True when the same call may succeed later (store unreachable, overloaded); false when it cannot without a change. Agrees with {@link StorageFailure#retriable()}. */
    public boolean isRetriable() {
        return retriable;
    }

    static String location(String bucket, String key) {
        return key == null ? bucket : bucket + "/" + key;
    }
}
