package io.tideline.core.storage;

/**
 * The store could not be reached or kept failing (connection refused, timeouts, 5xx, throttling)
 * through every attempt the client's retry strategy allowed. Retriable later; nothing the failed
 * call tried to write may be assumed stored.
 */
public final class StorageUnavailableException extends StorageException {

    public StorageUnavailableException(String operation, String bucket, String key, Throwable cause) {
        super("object store unavailable: could not " + operation + " " + location(bucket, key) + ": "
                + cause.getMessage(), bucket, key, true, cause);
    }
}
