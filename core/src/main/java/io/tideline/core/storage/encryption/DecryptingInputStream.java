package io.tideline.core.storage.encryption;

import io.tideline.core.storage.ChecksumMismatchException;
import io.tideline.core.storage.ObjectAuthenticationException;
import io.tideline.core.storage.Sha256;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Optional;
import javax.crypto.AEADBadTagException;
import javax.crypto.SecretKey;

/**
 * Reads an object in the chunked format ({@link ChunkCipher}) and delivers its plaintext, one
 * authenticated chunk at a time: no byte of a chunk is delivered before its tag was checked, and the
 * stream ends only after the final chunk was read and the plaintext hashed to the sha256 it carries
 * (and to {@code expected}, when the caller has one from a manifest). Every failure is an
 * {@link IOException} whose cause is the {@link io.tideline.core.storage.StorageException} that says
 * what happened ({@link ObjectAuthenticationException}, {@link ChecksumMismatchException}).
 */
final class DecryptingInputStream extends InputStream {

    private final InputStream in;
    private final String bucket;
    private final String key;
    private final Optional<Sha256> expected;
    private final ChunkCipher cipher;
    private final int chunkSize;
    private final byte[] record;
    private final byte[] plain;
    private final MessageDigest sha256 = Sha256.newDigest();
    private int plainPos;
    private int plainLen;
    private long index;
    private boolean finalRead;

    DecryptingInputStream(InputStream in, ObjectHeader header, SecretKey dataKey, String bucket, String key,
                          Optional<Sha256> expected) {
        this.in = in;
        this.bucket = bucket;
        this.key = key;
        this.expected = expected;
        this.cipher = new ChunkCipher(header, dataKey);
        this.chunkSize = header.chunkSize();
        this.record = new byte[chunkSize + ChunkCipher.SHA_BYTES + ChunkCipher.TAG_BYTES + 1];
        this.plain = new byte[chunkSize + ChunkCipher.SHA_BYTES];
    }

    /**
     * Reads the header at the start of {@code in}: the header, or empty when the object has no
     * encryption header at all (then {@code prefix} holds the bytes already read). Throws
     * {@link IllegalArgumentException} for a malformed header.
     */
    static Optional<ObjectHeader> readHeader(InputStream in, byte[][] prefix) throws IOException {
        byte[] buffer = new byte[ObjectHeader.MAX_BYTES];
        int filled = in.readNBytes(buffer, 0, ObjectHeader.MAGIC.length);
        if (!ObjectHeader.startsWithMagic(buffer, filled)) {
            prefix[0] = Arrays.copyOf(buffer, filled);
            return Optional.empty();
        }
        // Exactly the header's bytes, field by field: what follows belongs to the first chunk.
        int keyIdLengthAt = ObjectHeader.FIXED_BYTES - 4;
        filled += readExactly(in, buffer, filled, keyIdLengthAt + 2 - filled);
        int keyIdLength = ((buffer[keyIdLengthAt] & 0xFF) << 8) | (buffer[keyIdLengthAt + 1] & 0xFF);
        filled += readExactly(in, buffer, filled, keyIdLength + 2);
        int wrappedLength = ((buffer[filled - 2] & 0xFF) << 8) | (buffer[filled - 1] & 0xFF);
        filled += readExactly(in, buffer, filled, wrappedLength);
        ObjectHeader header = ObjectHeader.parse(buffer, filled);
        if (header == null || header.length() != filled) {
            throw new IllegalArgumentException("malformed encryption header");
        }
        return Optional.of(header);
    }

    private static int readExactly(InputStream in, byte[] buffer, int offset, int length) throws IOException {
        if (in.readNBytes(buffer, offset, length) != length) {
            throw new IllegalArgumentException("the object ends inside its encryption header");
        }
        return length;
    }

    /**
     * The plaintext bytes an object holds after its header when {@code body} stored bytes follow the
     * header, as the writer lays them out; -1 when no well-formed object has that size.
     */
    long plaintextSize(long body) {
        long record = 1L + chunkSize + ChunkCipher.TAG_BYTES;
        long finalOverhead = 1L + ChunkCipher.SHA_BYTES + ChunkCipher.TAG_BYTES;
        if (body < finalOverhead) {
            return -1;
        }
        long full = (body - finalOverhead) / record;
        long rest = body - finalOverhead - full * record;
        return rest < chunkSize ? full * chunkSize + rest : -1;
    }

    @Override
    public int read() throws IOException {
        if (!ensure()) {
            return -1;
        }
        return plain[plainPos++] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (!ensure()) {
            return -1;
        }
        int n = Math.min(len, plainLen - plainPos);
        System.arraycopy(plain, plainPos, b, off, n);
        plainPos += n;
        return n;
    }

    @Override
    public int available() {
        return plainLen - plainPos;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }

    private boolean ensure() throws IOException {
        while (plainPos == plainLen) {
            if (finalRead) {
                return false;
            }
            readRecord();
        }
        return true;
    }

    private void readRecord() throws IOException {
        int flag = in.read();
        if (flag < 0) {
            throw failure(new ObjectAuthenticationException(bucket, key, "it ends after chunk " + index
                    + " without its final chunk", null));
        }
        try {
            if (flag == ChunkCipher.MORE) {
                int want = cipher.fullChunkCiphertext();
                if (in.readNBytes(record, 0, want) != want) {
                    throw failure(new ObjectAuthenticationException(bucket, key, "it ends inside chunk " + index, null));
                }
                plainLen = cipher.open(index, false, record, 0, want, plain, 0);
                sha256.update(plain, 0, plainLen);
            } else if (flag == ChunkCipher.FINAL) {
                int n = in.readNBytes(record, 0, record.length);
                if (n == record.length || n < ChunkCipher.SHA_BYTES + ChunkCipher.TAG_BYTES) {
                    throw failure(new ObjectAuthenticationException(bucket, key, "its final chunk (" + index + ") has "
                            + (n == record.length ? "bytes after it" : "only " + n + " bytes"), null));
                }
                int opened = cipher.open(index, true, record, 0, n, plain, 0);
                plainLen = opened - ChunkCipher.SHA_BYTES;
                sha256.update(plain, 0, plainLen);
                finalRead = true;
                checkSha256(Arrays.copyOfRange(plain, plainLen, opened));
            } else {
                throw failure(new ObjectAuthenticationException(bucket, key, "chunk " + index + " has an unknown flag " + flag, null));
            }
        } catch (AEADBadTagException e) {
            throw failure(new ObjectAuthenticationException(bucket, key, "chunk " + index + " fails its authentication tag", e));
        }
        index++;
        plainPos = 0;
    }

    private void checkSha256(byte[] recorded) throws IOException {
        Sha256 actual = Sha256.ofDigest(sha256.digest());
        Sha256 written = Sha256.ofDigest(recorded);
        if (!actual.equals(written)) {
            throw failure(new ChecksumMismatchException(bucket, key, written, actual));
        }
        if (expected.isPresent() && !expected.get().equals(actual)) {
            throw failure(new ChecksumMismatchException(bucket, key, expected.get(), actual));
        }
    }

    private static IOException failure(RuntimeException cause) {
        return new IOException(cause.getMessage(), cause);
    }
}
