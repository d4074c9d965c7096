package io.tideline.core.storage;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.Objects;

/**
 * The stream {@link ObjectStore#openVerified} promises: hashes every byte it delivers and, when the
 * end of the object is reached, throws an {@link IOException} caused by a
 * {@link ChecksumMismatchException} if the bytes do not hash to the expected sha256.
 */
public final class VerifyingInputStream extends ReadThroughInputStream {

    private final String bucket;
    private final String key;
    private final Sha256 expected;
    private final MessageDigest digest = Sha256.newDigest();
    private boolean checked;

    public VerifyingInputStream(InputStream in, String bucket, String key, Sha256 expected) {
        super(in, 8192);
        this.bucket = bucket;
        this.key = key;
        this.expected = Objects.requireNonNull(expected, "expected");
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b < 0) {
            verify();
        } else {
            digest.update((byte) b);
        }
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        if (n < 0) {
            verify();
        } else {
            digest.update(b, off, n);
        }
        return n;
    }

    private void verify() throws IOException {
        if (checked) {
            return;
        }
        checked = true;
        Sha256 actual = Sha256.ofDigest(digest.digest());
        if (!actual.equals(expected)) {
            ChecksumMismatchException mismatch = new ChecksumMismatchException(bucket, key, expected, actual);
            throw new IOException(mismatch.getMessage(), mismatch);
        }
    }
}
