package io.tideline.core.storage;

/** The object does not exist (or, for a store that hides it, is not visible to these credentials). */
public final class NoSuchObjectException extends StorageException {

    public NoSuchObjectException(String bucket, String key, Throwable cause) {
        super("no object " + location(bucket, key), bucket, key, false, cause);
    }
}
