package io.tideline.core.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Whatever a reader does — read, skip, drain — every byte passes the subclass's observation exactly once. */
class ReadThroughInputStreamTest {

    private static final class Recording extends ReadThroughInputStream {
        final ByteArrayOutputStream seen = new ByteArrayOutputStream();

        Recording(InputStream in) {
            super(in, 1000);
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
                seen.write(b);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0) {
                seen.write(b, off, n);
            }
            return n;
        }
    }

    @Test
    void skippedAndDrainedBytesAreObservedInOrder() throws IOException {
        byte[] data = new byte[10_000];
        new Random(3).nextBytes(data);
        Recording r = new Recording(new ByteArrayInputStream(data));
        r.read();
        assertEquals(4321, r.skip(4321), "skips across several of its buffers");
        r.read(new byte[17], 0, 17);
        assertEquals(10_000 - 1 - 4321 - 17, r.drain());
        assertEquals(0, r.skip(5), "nothing left to skip");
        assertArrayEquals(data, r.seen.toByteArray());
    }

    @Test
    void markAndResetAreRefusedSoNothingIsObservedTwice() {
        Recording r = new Recording(new ByteArrayInputStream(new byte[10]));
        assertFalse(r.markSupported());
        r.mark(5);
        assertThrows(IOException.class, r::reset);
    }
}
