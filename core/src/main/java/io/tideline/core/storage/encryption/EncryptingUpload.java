package io.tideline.core.storage.encryption;

import io.tideline.core.storage.MultipartUpload;
import io.tideline.core.storage.Sha256;
import io.tideline.core.storage.StoredObject;
import java.util.Map;
import java.util.Optional;

/**
 * A multipart upload whose bytes are encrypted on their way into the store's upload: the writer's
 * thread encrypts chunk by chunk, the store's threads upload parts of ciphertext as before. The result
 * carries the sha256 of the plaintext written (what a manifest records) and the stored size.
 */
final class EncryptingUpload implements MultipartUpload {

    private final MultipartUpload inner;
    private final ChunkWriter writer;
    private final Map<String, String> metadata;

    EncryptingUpload(MultipartUpload inner, ObjectHeader header, ChunkCipher cipher, Map<String, String> metadata) {
        this.inner = inner;
        this.metadata = metadata;
        this.writer = new ChunkWriter(header, cipher, inner::write);
    }

    @Override
    public String key() {
        return inner.key();
    }

    @Override
    public void write(byte[] bytes, int offset, int length) {
        if (offset < 0 || length < 0 || offset + length > bytes.length) {
            throw new IndexOutOfBoundsException("offset " + offset + ", length " + length + ", array " + bytes.length);
        }
        writer.write(bytes, offset, length);
    }

    @Override
    public long bytesWritten() {
        return writer.plaintextBytes();
    }

    @Override
    public StoredObject complete() {
        Sha256 plaintext = writer.finish();
        StoredObject stored = inner.complete();
        return new StoredObject(stored.key(), stored.size(), stored.lastModified(), Optional.of(plaintext), metadata);
    }

    @Override
    public void abort() {
        inner.abort();
    }

    @Override
    public void close() {
        inner.close();
    }

    @Override
    public String toString() {
        return "encrypted " + inner;
    }
}
