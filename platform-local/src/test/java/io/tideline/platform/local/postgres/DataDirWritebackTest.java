package io.tideline.platform.local.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataDirWritebackTest {

    @TempDir
    Path dataDir;

    @Test
    void flushesEveryFileOfTheDirectoryInTheBackground() throws Exception {
        Files.createDirectories(dataDir.resolve("base/1"));
        for (int i = 0; i < 4; i++) {
            Files.write(dataDir.resolve("base/1/" + (16384 + i)), new byte[8192]);
        }
        Files.writeString(dataDir.resolve("PG_VERSION"), "15\n");
        try (DataDirWriteback writeback = DataDirWriteback.start(dataDir, "test")) {
            awaitFlushed(writeback, 5);
            assertEquals(5, writeback.filesFlushed(), "each regular file once, directories skipped");
        }
    }

    @Test
    void aDirectoryRemovedUnderItEndsItQuietly() throws Exception {
        DataDirWriteback writeback = DataDirWriteback.start(dataDir.resolve("gone"), "test");
        writeback.close();
        assertEquals(0, writeback.filesFlushed());
    }

    /** Bounded: a loaded machine may schedule the daemon thread late. */
    private static void awaitFlushed(DataDirWriteback writeback, long files) throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (writeback.filesFlushed() < files && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
    }
}
