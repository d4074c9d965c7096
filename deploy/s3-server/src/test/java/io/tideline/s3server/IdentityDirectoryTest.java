package io.tideline.s3server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdentityDirectoryTest {

    @TempDir
    Path dir;

    @Test
    void readsAnIdentityWrittenAfterTheFirstLookup() throws Exception {
        IdentityDirectory identities = new IdentityDirectory(dir);
        assertTrue(identities.find("tenant-a").isEmpty());

        Files.writeString(dir.resolve("tenant-a.properties"), "secretKey=s1\nbucket=tideline-a\n");

        assertEquals(new Identity("tenant-a", "s1", "tideline-a"), identities.find("tenant-a").orElseThrow());
    }

    @Test
    void seesARewriteByAtomicRenameAndARemoval() throws Exception {
        IdentityDirectory identities = new IdentityDirectory(dir);
        Files.writeString(dir.resolve("tenant-a.properties"), "secretKey=old\nbucket=tideline-a\n");
        assertEquals("old", identities.find("tenant-a").orElseThrow().secretKey());

        Path temp = Files.writeString(dir.resolve(".tmp"), "secretKey=new\nbucket=tideline-a\n");
        Files.move(temp, dir.resolve("tenant-a.properties"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        assertEquals("new", identities.find("tenant-a").orElseThrow().secretKey());

        Files.delete(dir.resolve("tenant-a.properties"));
        assertTrue(identities.find("tenant-a").isEmpty());
    }

    @Test
    void readsAReadOnlyIdentityWithItsEnd() throws Exception {
        IdentityDirectory identities = new IdentityDirectory(dir);
        Files.writeString(dir.resolve("restore-r1.properties"),
                "secretKey=s\nbucket=tideline-a\naccess=read-only\nexpires=2026-12-07T20:00:00Z\n");

        Identity identity = identities.find("restore-r1").orElseThrow();
        assertTrue(identity.readOnly());
        assertFalse(identity.expiredAt(java.time.Instant.parse("2026-12-07T19:59:59Z")));
        assertTrue(identity.expiredAt(java.time.Instant.parse("2026-12-07T20:00:00Z")));
        assertFalse(new Identity("tenant-a", "s", "tideline-a").readOnly(), "an identity without access= is read-write");
    }

    @Test
    void refusesAnUnknownAccessOrAnUnreadableEnd() throws Exception {
        IdentityDirectory identities = new IdentityDirectory(dir);
        Files.writeString(dir.resolve("odd-access.properties"), "secretKey=s\nbucket=tideline-a\naccess=write-only\n");
        Files.writeString(dir.resolve("odd-end.properties"), "secretKey=s\nbucket=tideline-a\naccess=read-only\nexpires=soon\n");

        assertTrue(identities.find("odd-access").isEmpty());
        assertTrue(identities.find("odd-end").isEmpty());
    }

    @Test
    void refusesIncompleteOrInvalidFiles() throws Exception {
        IdentityDirectory identities = new IdentityDirectory(dir);
        Files.writeString(dir.resolve("no-bucket.properties"), "secretKey=s\n");
        Files.writeString(dir.resolve("bad-bucket.properties"), "secretKey=s\nbucket=Not_A_Bucket\n");

        assertTrue(identities.find("no-bucket").isEmpty());
        assertTrue(identities.find("bad-bucket").isEmpty());
    }

    @Test
    void anAccessKeyCannotNameAFileOutsideTheDirectory() throws Exception {
        Path outside = dir.resolve("outside");
        Files.createDirectories(outside);
        Files.writeString(dir.resolve("evil.properties"), "secretKey=s\nbucket=tideline-evil\n");
        IdentityDirectory identities = new IdentityDirectory(outside);

        assertTrue(identities.find("../evil").isEmpty());
        assertTrue(identities.find(".hidden").isEmpty());
        assertTrue(identities.find("").isEmpty());
        assertTrue(identities.find(null).isEmpty());
    }
}
