package io.tideline.s3server;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
