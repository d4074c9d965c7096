package io.tideline.restore.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The WAL endpoint's per-restore capability: random, compared whole, written only where the server's user reads it. */
class WalTokenTest {

    @TempDir
    Path dir;

    @Test
    void aTokenIs256RandomBitsAcceptedWholeAndNeverShown() throws Exception {
        SecureRandom random = new SecureRandom();
        WalToken token = WalToken.random(random);
        WalToken other = WalToken.random(random);
        String value = valueOf(token);
        assertEquals(43, value.length(), "32 bytes, base64url without padding");
        assertNotEquals(value, valueOf(other));
        assertTrue(token.accepts(value));
        assertTrue(token.accepts(value + "\r"), "a header value's trailing white space is not part of it");
        assertFalse(token.accepts(valueOf(other)));
        assertFalse(token.accepts(value.substring(1)));
        assertFalse(token.accepts(value + "A"));
        assertFalse(token.accepts(""));
        assertFalse(token.accepts(null));
        assertFalse(token.toString().contains(value));
    }

    @Test
    void theHeaderFileIsTheServerUsersAloneAndNeverOverwritten() throws Exception {
        WalToken token = WalToken.random(new SecureRandom());
        Path file = token.writeHeaderFile(dir.resolve("wal-token"), Files.getOwner(dir));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals(Files.getOwner(dir), Files.getOwner(file));
        assertTrue(Files.readString(file).matches(WalToken.HEADER + ": [A-Za-z0-9_-]{43}\n"), Files.readString(file));
        assertThrows(FileAlreadyExistsException.class, () -> WalToken.random(new SecureRandom())
                .writeHeaderFile(file, Files.getOwner(dir)), "a file already there is not replaced");
    }

    private String valueOf(WalToken token) throws Exception {
        Path file = token.writeHeaderFile(Files.createTempDirectory(dir, "t").resolve("h"), Files.getOwner(dir));
        return Files.readString(file).strip().substring(WalToken.HEADER.length() + 2);
    }
}
