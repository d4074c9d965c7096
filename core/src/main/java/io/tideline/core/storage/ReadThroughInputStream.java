package io.tideline.core.storage;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * A filter that must see every byte that passes through it (to hash it, to copy it somewhere): skipping
 * reads through its own {@code read}, and mark/reset is refused, since a reset would show bytes twice.
 * Subclasses observe the bytes in their {@code read} methods.
 */
public abstract class ReadThroughInputStream extends FilterInputStream {

    private final byte[] skipBuffer;

    protected ReadThroughInputStream(InputStream in, int skipBufferSize) {
        super(in);
        this.skipBuffer = new byte[skipBufferSize];
    }

    @Override
    public long skip(long n) throws IOException {
        long skipped = 0;
        while (skipped < n) {
            int r = read(skipBuffer, 0, (int) Math.min(skipBuffer.length, n - skipped));
            if (r < 0) {
                break;
            }
            skipped += r;
        }
        return skipped;
    }

    /** Reads the rest of the source through, so every remaining byte is observed; returns how many. */
    public long drain() throws IOException {
        long drained = 0;
        int r;
        while ((r = read(skipBuffer, 0, skipBuffer.length)) >= 0) {
            drained += r;
        }
        return drained;
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    @Override
    public void mark(int readlimit) {
        // unsupported: see the class comment
    }

    @Override
    public void reset() throws IOException {
        throw new IOException("mark/reset not supported: the bytes would be observed twice");
    }
}
