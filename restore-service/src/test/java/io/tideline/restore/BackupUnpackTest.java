package io.tideline.restore;

import static io.tideline.restore.BackupFixtures.bytes;
import static io.tideline.restore.BackupFixtures.tar;
import static io.tideline.restore.BackupFixtures.zstd;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The unpack pipeline (read-ahead thread → tar writer) on local streams: what goes in comes out, and failures surface. */
class BackupUnpackTest {

    @TempDir
    Path tmp;

    @Test
    void unpacksEveryFileByteForByteAndCountsToTheStreamsEnd() throws IOException {
        Map<String, byte[]> files = new LinkedHashMap<>();
        Random random = new Random(1);
        files.put("PG_VERSION", "15\n".getBytes());
        files.put("base/1/16384", bytes(random, 3 << 20));      // larger than a read-ahead chunk
        files.put("base/1/16385", new byte[0]);
        files.put("base/1/16386", bytes(random, 25 << 20));     // the read-ahead buffers are reused several times over
        files.put("base/1/16387", bytes(random, 12345));
        files.put("global/pg_control", bytes(random, 8192));
        byte[] tar = tar(files, "");
        byte[] compressed = zstd(tar, new byte[4096]);           // trailing zeros after the tar's end marker
        AtomicLong progress = new AtomicLong();

        long raw = BackupDownloader.unpackStream(new ByteArrayInputStream(compressed), tmp, progress::set);

        assertEquals(tar.length + 4096, raw, "read to the end of the stream, past the end marker");
        assertEquals(raw, progress.get());
        for (Map.Entry<String, byte[]> f : files.entrySet()) {
            assertArrayEquals(f.getValue(), Files.readAllBytes(tmp.resolve(f.getKey())), f.getKey());
        }
    }

    @Test
    void anEntryOutsideTheDataDirectoryIsRefused() throws IOException {
        byte[] compressed = zstd(tar(Map.of("../escaped", new byte[10]), ""), new byte[0]);
        RestoreFailure e = assertThrows(RestoreFailure.class,
                () -> BackupDownloader.unpackStream(new ByteArrayInputStream(compressed), tmp.resolve("data"), n -> { }));
        assertTrue(e.getMessage().contains("outside the data directory"), e.getMessage());
        assertFalse(Files.exists(tmp.resolve("escaped")));
    }

    @Test
    void aFailureOfTheReadingSideSurfacesWithItsCause() throws IOException {
        byte[] compressed = zstd(tar(Map.of("base/1/1", bytes(new Random(2), 4 << 20)), ""), new byte[0]);
        byte[] cut = Arrays.copyOf(compressed, compressed.length / 2);
        IOException broken = new IOException("the store went away");
        InputStream failing = new InputStream() {
            private final InputStream in = new ByteArrayInputStream(cut);

            @Override
            public int read() throws IOException {
                int b = in.read();
                if (b < 0) {
                    throw broken;
                }
                return b;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = in.read(b, off, len);
                if (n < 0) {
                    throw broken;
                }
                return n;
            }
        };
        IOException e = assertThrows(IOException.class, () -> BackupDownloader.unpackStream(failing, tmp.resolve("data"), n -> { }));
        Throwable cause = e;
        while (cause != null && cause != broken) {
            cause = cause.getCause();
        }
        assertEquals(broken, cause, "the reading side's failure is in the chain: " + e);
    }
}
