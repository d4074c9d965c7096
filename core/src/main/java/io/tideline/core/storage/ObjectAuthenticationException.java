package io.tideline.core.storage;

/**
 * An encrypted object failed authentication when read: a byte was changed, chunks were removed,
 * reordered or appended, or the object was moved from another key or written under another instance's
 * keys. Nothing of it was handed on as valid. A checksum mismatch, as every caller that handles
 * damage already treats one.
 */
public final class ObjectAuthenticationException extends ChecksumMismatchException {

    public ObjectAuthenticationException(String bucket, String key, String what, Throwable cause) {
        super("checksum mismatch (authentication failed) reading " + location(bucket, key) + ": " + what
                + " (the object was altered, truncated, or not written by this instance's keys)", bucket, key, cause);
    }
}
