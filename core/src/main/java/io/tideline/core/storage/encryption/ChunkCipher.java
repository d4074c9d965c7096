package io.tideline.core.storage.encryption;

import java.security.GeneralSecurityException;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

/**
 * AES-256-GCM over the chunks of one object, with the JDK's provider (no crypto of our own). After the
 * header, an object is a sequence of records:
 *
 * <pre>
 *   flag        1 byte    0 = a full chunk, more follow; 1 = the final chunk, the object ends with it
 *   ciphertext  a full chunk: chunk size + 16 (tag) bytes
 *               the final chunk: (0 .. chunk size) data bytes + 32 (sha256 of all plaintext) + 16 (tag)
 * </pre>
 *
 * The nonce of chunk {@code i} is the object's random 7-byte prefix, {@code i} (4 bytes) and the flag
 * (1 byte), so no two chunks of any object share one (each object has its own data key, too); the
 * associated data is the whole header, {@code i} and the flag. A reordered, repeated, dropped or
 * appended chunk, an object cut after any chunk, a changed flag or header: each fails a tag or ends
 * without a final chunk. The plaintext sha256 in the final chunk ties what is read back to what the
 * writer was given (the same value the store reports as the object's sha256).
 */
final class ChunkCipher {

    static final int TAG_BYTES = 16;
    static final int TAG_BITS = 128;
    static final int SHA_BYTES = 32;
    static final byte MORE = 0;
    static final byte FINAL = 1;
    /** Chunks per object: 2^31 × 1 MiB is far beyond any object S3 takes (5 TiB). */
    static final long MAX_CHUNKS = Integer.MAX_VALUE;

    private final ObjectHeader header;
    private final SecretKey key;
    private final Cipher cipher;
    private final byte[] nonce = new byte[12];
    private final byte[] position = new byte[5];

    ChunkCipher(ObjectHeader header, SecretKey key) {
        this.header = header;
        this.key = key;
        try {
            this.cipher = Cipher.getInstance("AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-256-GCM is not available in this JVM", e);
        }
        System.arraycopy(header.noncePrefix(), 0, nonce, 0, ObjectHeader.NONCE_PREFIX_BYTES);
    }

    int chunkSize() {
        return header.chunkSize();
    }

    /** Ciphertext of a full (non-final) chunk. */
    int fullChunkCiphertext() {
        return header.chunkSize() + TAG_BYTES;
    }

    /** Encrypts {@code in[off, off+len)} (and, for the final chunk, {@code trailer}) into {@code out} at {@code outOff}. */
    int seal(long index, boolean last, byte[] in, int off, int len, byte[] trailer, byte[] out, int outOff) {
        try {
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, position(index, last)));
            cipher.updateAAD(header.encoded());
            cipher.updateAAD(position);
            int n = len == 0 ? 0 : cipher.update(in, off, len, out, outOff);
            byte[] rest = trailer == null ? new byte[0] : trailer;
            return n + cipher.doFinal(rest, 0, rest.length, out, outOff + n);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM encryption failed: " + e, e);
        }
    }

    /** Decrypts one record's ciphertext into {@code out} at {@code outOff}; a failed tag is {@link AEADBadTagException}. */
    int open(long index, boolean last, byte[] in, int off, int len, byte[] out, int outOff) throws AEADBadTagException {
        try {
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, position(index, last)));
            cipher.updateAAD(header.encoded());
            cipher.updateAAD(position);
            return cipher.doFinal(in, off, len, out, outOff);
        } catch (AEADBadTagException e) {
            throw e;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM decryption failed: " + e, e);
        }
    }

    private byte[] position(long index, boolean last) {
        if (index < 0 || index >= MAX_CHUNKS) {
            throw new IllegalStateException("chunk index " + index + " out of range");
        }
        int i = (int) index;
        position[0] = (byte) (i >>> 24);
        position[1] = (byte) (i >>> 16);
        position[2] = (byte) (i >>> 8);
        position[3] = (byte) i;
        position[4] = last ? FINAL : MORE;
        System.arraycopy(position, 0, nonce, ObjectHeader.NONCE_PREFIX_BYTES, 5);
        return nonce;
    }
}
