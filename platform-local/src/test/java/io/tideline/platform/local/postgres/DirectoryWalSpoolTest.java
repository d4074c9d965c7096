package io.tideline.platform.local.postgres;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectoryWalSpoolTest {

    private static final String SEGMENT = "000000010000000000000007";

    @TempDir
    Path tmp;

    @Test
    void theRestoreCommandFragmentRenamesTheAskedSegmentOutOfTheSpoolQuietly() {
        DirectoryWalSpool spool = new DirectoryWalSpool(Path.of("/home/tideline/instances/pg-1/wal-spool"), Optional.empty());
        assertEquals("mv -f \"/home/tideline/instances/pg-1/wal-spool/%f\" \"%p\" 2>/dev/null", spool.restoreCommandFragment());
    }

    @Test
    void aPathThatWouldBreakOutOfTheDoubleQuotedShellWordIsRefused() {
        // restore_command puts the path between double quotes: these would end the word, expand, or be
        // taken by the server as a placeholder (%).
        for (String bad : List.of("a\"b", "a$b", "a`b", "a\\b", "a%b", "a\nb")) {
            Path dir = Path.of("/spools/" + bad);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new DirectoryWalSpool(dir, Optional.empty()), bad);
            assertTrue(e.getMessage().contains("must not contain"), e.getMessage());
        }
    }

    @Test
    void aSegmentIsVisibleWholeAndPrivateAndTakenOnce() throws IOException {
        DirectoryWalSpool spool = new DirectoryWalSpool(tmp, Optional.empty());
        byte[] wal = new byte[8192];
        new java.util.Random(7).nextBytes(wal);

        spool.put(SEGMENT, wal);
        assertTrue(spool.holds(SEGMENT));
        assertEquals(List.of(SEGMENT), names(), "no temporary file left beside it");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(tmp.resolve(SEGMENT))));

        assertArrayEquals(wal, spool.take(SEGMENT).orElseThrow());
        assertFalse(spool.holds(SEGMENT));
        assertEquals(Optional.empty(), spool.take(SEGMENT), "a segment is taken once");
        assertEquals(List.of(), names());
    }

    @Test
    void discardAndClearEmptyTheSpool() throws IOException {
        DirectoryWalSpool spool = new DirectoryWalSpool(tmp, Optional.empty());
        spool.put(SEGMENT, new byte[] {1});
        spool.put("000000010000000000000008", new byte[] {2});
        spool.discard(SEGMENT);
        spool.discard(SEGMENT); // gone already: a no-op
        assertEquals(List.of("000000010000000000000008"), names());
        spool.clear();
        assertEquals(List.of(), names());
    }

    @Test
    void onlyCompleteSegmentNamesAreSpooled() {
        DirectoryWalSpool spool = new DirectoryWalSpool(tmp, Optional.empty());
        for (String name : List.of("../pgdata/PG_VERSION", "00000002.history", SEGMENT + ".partial", "00000001000000000000000a")) {
            assertThrows(IllegalArgumentException.class, () -> spool.put(name, new byte[1]), name);
            assertThrows(IllegalArgumentException.class, () -> spool.holds(name), name);
        }
    }

    private List<String> names() throws IOException {
        try (Stream<Path> files = Files.list(tmp)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
