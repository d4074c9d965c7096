package io.tideline.core.storage.encryption;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The start of every encrypted object (format version 1), in the object itself rather than in S3
 * metadata (docs/decisions.md): an object copied anywhere keeps what is needed to read it.
 *
 * <pre>
 *   magic        8 bytes   0x89 'T' 'L' 'E' 'N' 'C' '\r' '\n'
 *   version      1 byte    1
 *   chunk size   4 bytes   plaintext bytes per chunk (big-endian)
 *   nonce prefix 7 bytes   random, per object
 *   key id       2-byte length + UTF-8
 *   wrapped key  2-byte length + bytes
 * </pre>
 *
 * Then the chunks (see {@link ChunkCipher}). The whole header is associated data of every chunk, so a
 * changed header byte fails the first chunk.
 */
record ObjectHeader(int chunkSize, byte[] noncePrefix, WrappedKey wrappedKey, byte[] encoded) {

    static final byte[] MAGIC = {(byte) 0x89, 'T', 'L', 'E', 'N', 'C', '\r', '\n'};
    static final int VERSION = 1;
    static final int NONCE_PREFIX_BYTES = 7;
    /** magic + version + chunk size + nonce prefix + the two length fields. */
    static final int FIXED_BYTES = MAGIC.length + 1 + 4 + NONCE_PREFIX_BYTES + 2 + 2;
    static final int MAX_BYTES = FIXED_BYTES + 2 * 65535;

    static ObjectHeader of(int chunkSize, byte[] noncePrefix, WrappedKey wrappedKey) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
            DataOutputStream out = new DataOutputStream(bytes);
            out.write(MAGIC);
            out.writeByte(VERSION);
            out.writeInt(chunkSize);
            out.write(noncePrefix);
            byte[] keyId = wrappedKey.keyId().getBytes(StandardCharsets.UTF_8);
            out.writeShort(keyId.length);
            out.write(keyId);
            byte[] wrapped = wrappedKey.ciphertext();
            out.writeShort(wrapped.length);
            out.write(wrapped);
            return new ObjectHeader(chunkSize, noncePrefix.clone(), wrappedKey, bytes.toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** True when {@code bytes} begin like an encrypted object (at least the magic is there). */
    static boolean startsWithMagic(byte[] bytes, int length) {
        return length >= MAGIC.length && Arrays.equals(bytes, 0, MAGIC.length, MAGIC, 0, MAGIC.length);
    }

    /**
     * Parses the header at the start of {@code bytes[0, length)}; returns null if more bytes are needed.
     * Throws {@link IllegalArgumentException} describing what is wrong with a malformed one.
     */
    static ObjectHeader parse(byte[] bytes, int length) {
        if (length < FIXED_BYTES) {
            return null;
        }
        ByteBuffer in = ByteBuffer.wrap(bytes, 0, length);
        byte[] magic = new byte[MAGIC.length];
        in.get(magic);
        if (!Arrays.equals(magic, MAGIC)) {
            throw new IllegalArgumentException("no encryption header");
        }
        int version = in.get() & 0xFF;
        if (version != VERSION) {
            throw new IllegalArgumentException("encryption format version " + version + " is not known to this Tideline (it reads "
                    + VERSION + ")");
        }
        int chunkSize = in.getInt();
        if (chunkSize < EncryptionSettings.MIN_CHUNK_SIZE || chunkSize > EncryptionSettings.MAX_CHUNK_SIZE) {
            throw new IllegalArgumentException("chunk size " + chunkSize + " out of range");
        }
        byte[] prefix = new byte[NONCE_PREFIX_BYTES];
        in.get(prefix);
        int keyIdLength = in.getShort() & 0xFFFF;
        if (in.remaining() < keyIdLength + 2) {
            return null;
        }
        byte[] keyId = new byte[keyIdLength];
        in.get(keyId);
        int wrappedLength = in.getShort() & 0xFFFF;
        if (in.remaining() < wrappedLength) {
            return null;
        }
        byte[] wrapped = new byte[wrappedLength];
        in.get(wrapped);
        return new ObjectHeader(chunkSize, prefix, new WrappedKey(new String(keyId, StandardCharsets.UTF_8), wrapped),
                Arrays.copyOf(bytes, in.position()));
    }

    int length() {
        return encoded.length;
    }
}
