package io.tideline.core.storage;

/**
 * Bytes read back do not hash to the sha256 recorded for them: the object is corrupt or was replaced.
 * {@link ObjectAuthenticationException} is the same finding for an encrypted object, whose chunks carry
 * their own authentication tags: a read stops at the first changed chunk, before any whole-object
 * sha256 exists, so it has no {@link #expected()}/{@link #actual()} (both null).
 */
public class ChecksumMismatchException extends StorageException {

    private final Sha256 expected;
    private final Sha256 actual;

    public ChecksumMismatchException(String bucket, String key, Sha256 expected, Sha256 actual) {
        super("checksum mismatch reading " + location(bucket, key) + ": expected sha256 " + expected.hex()
                + " but read " + actual.hex(), bucket, key, false, null);
        this.expected = expected;
        this.actual = actual;
    }

    /** For the bytes that failed authentication, where no whole-object hash was computed. */
    protected ChecksumMismatchException(String message, String bucket, String key, Throwable cause) {
        super(message, bucket, key, false, cause);
        this.expected = null;
        this.actual = null;
    }

    /** The recorded sha256; null for an {@link ObjectAuthenticationException}. */
    public Sha256 expected() {
        return expected;
    }

    /** The sha256 of the bytes read; null for an {@link ObjectAuthenticationException}. */
    public Sha256 actual() {
        return actual;
    }
}
