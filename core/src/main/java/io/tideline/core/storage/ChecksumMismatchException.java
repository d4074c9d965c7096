package io.tideline.core.storage;

/** Bytes read back do not hash to the sha256 recorded for them: the object is corrupt or was replaced. */
public final class ChecksumMismatchException extends StorageException {

    private final Sha256 expected;
    private final Sha256 actual;

    public ChecksumMismatchException(String bucket, String key, Sha256 expected, Sha256 actual) {
        super("checksum mismatch reading " + location(bucket, key) + ": expected sha256 " + expected.hex()
                + " but read " + actual.hex(), bucket, key, false, null);
        this.expected = expected;
        this.actual = actual;
    }

    public Sha256 expected() {
        return expected;
    }

    public Sha256 actual() {
        return actual;
    }
}
