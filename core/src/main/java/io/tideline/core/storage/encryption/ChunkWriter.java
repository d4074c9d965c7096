package io.tideline.core.storage.encryption;

import io.tideline.core.storage.Sha256;
import java.security.MessageDigest;

/**
 * Encrypts a stream of plaintext into the chunked format ({@link ChunkCipher}) as it is written: the
 * header first, each full chunk as soon as it is full (straight from the caller's array when a whole
 * chunk is there, else through one chunk buffer), the final chunk with the plaintext sha256 on
 * {@link #finish()}. Memory: one chunk buffer and one record buffer, whatever the object's size.
 */
final class ChunkWriter {

    /** Where records go: the multipart upload, or an array for a single PUT. */
    interface Sink {
        void write(byte[] bytes, int offset, int length);
    }

    private final ChunkCipher cipher;
    private final Sink sink;
    private final int chunkSize;
    private final MessageDigest sha256 = Sha256.newDigest();
    private final byte[] record;
    private byte[] pending;
    private int pendingFilled;
    private long index;
    private long plaintextBytes;
    private Sha256 finished;

    ChunkWriter(ObjectHeader header, ChunkCipher cipher, Sink sink) {
        this.cipher = cipher;
        this.sink = sink;
        this.chunkSize = header.chunkSize();
        this.record = new byte[1 + chunkSize + ChunkCipher.SHA_BYTES + ChunkCipher.TAG_BYTES];
        sink.write(header.encoded(), 0, header.length());
    }

    /** The stored size of an object of {@code plaintext} bytes under {@code header}. */
    static long storedSize(ObjectHeader header, long plaintext) {
        long full = plaintext / header.chunkSize();
        long rest = plaintext % header.chunkSize();
        return header.length() + full * (1L + header.chunkSize() + ChunkCipher.TAG_BYTES)
                + 1 + rest + ChunkCipher.SHA_BYTES + ChunkCipher.TAG_BYTES;
    }

    void write(byte[] bytes, int offset, int length) {
        if (finished != null) {
            throw new IllegalStateException("the encrypted object is already finished");
        }
        sha256.update(bytes, offset, length);
        plaintextBytes += length;
        if (pendingFilled > 0) {
            int n = Math.min(length, chunkSize - pendingFilled);
            System.arraycopy(bytes, offset, pending, pendingFilled, n);
            pendingFilled += n;
            offset += n;
            length -= n;
            if (pendingFilled < chunkSize) {
                return;
            }
            emitFull(pending, 0);
            pendingFilled = 0;
        }
        while (length >= chunkSize) {
            emitFull(bytes, offset);
            offset += chunkSize;
            length -= chunkSize;
        }
        if (length > 0) {
            if (pending == null) {
                pending = new byte[chunkSize];
            }
            System.arraycopy(bytes, offset, pending, 0, length);
            pendingFilled = length;
        }
    }

    /** Seals the final chunk (what is pending, possibly nothing, and the sha256); returns the plaintext sha256. */
    Sha256 finish() {
        if (finished == null) {
            byte[] digest = sha256.digest();
            record[0] = ChunkCipher.FINAL;
            int n = cipher.seal(index, true, pending == null ? new byte[0] : pending, 0, pendingFilled, digest, record, 1);
            sink.write(record, 0, 1 + n);
            finished = Sha256.ofDigest(digest);
            pending = null;
        }
        return finished;
    }

    long plaintextBytes() {
        return plaintextBytes;
    }

    private void emitFull(byte[] bytes, int offset) {
        record[0] = ChunkCipher.MORE;
        int n = cipher.seal(index++, false, bytes, offset, chunkSize, null, record, 1);
        sink.write(record, 0, 1 + n);
    }
}
