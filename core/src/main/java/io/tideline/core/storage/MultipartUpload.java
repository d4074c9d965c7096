package io.tideline.core.storage;

import java.io.IOException;
import java.io.OutputStream;

/**
 * A streaming upload of unknown length, opened by {@link ObjectStore#openMultipart}. Used from ONE
 * writing thread; the parts upload on the store's threads.
 *
 * <p>Life cycle: {@code write}… then exactly one of {@link #complete()} or {@link #abort()}.
 * {@link #close()} aborts an upload that was not completed, so try-with-resources never leaves a
 * half-written object or orphaned parts behind. A part that fails (after the client's retries)
 * aborts the whole upload; the next {@code write} or {@code complete} throws that failure.
 */
public interface MultipartUpload extends AutoCloseable {

    String key();

    /** Appends bytes; blocks while the maximum number of parts are in flight. */
    void write(byte[] bytes, int offset, int length);

    default void write(byte[] bytes) {
        write(bytes, 0, bytes.length);
    }

    /** Bytes written so far. */
    long bytesWritten();

    /**
     * Uploads what remains, waits for every part and assembles the object. Returns only once the
     * store confirmed it; the result carries the sha256 of all bytes written.
     */
    StoredObject complete();

    /** Abandons the upload and asks the store to drop the parts already sent. Idempotent. */
    void abort();

    /** Aborts unless {@link #complete()} succeeded. */
    @Override
    void close();

    /**
     * A view to plug into stream pipelines (tar → zstd → here). Its {@code close()} only flushes:
     * closing a compressor must not complete the upload, {@link #complete()} does that explicitly.
     */
    default OutputStream asOutputStream() {
        MultipartUpload upload = this;
        return new OutputStream() {
            @Override
            public void write(int b) {
                upload.write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                upload.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                // Deliberately not complete(): see the method's javadoc.
            }
        };
    }
}
