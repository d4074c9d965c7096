package io.tideline.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RuntimeHomeTest {

    @TempDir
    Path tmp;

    /** Issue 17, finding 3: an instance's server (its own OS user) reaches its directory, never the others' backups. */
    @Test
    void theInstancesAreReachableAndEveryTenantsBackupsAndEventsAreNot() throws IOException {
        RuntimeHome home = new RuntimeHome(tmp.resolve("home")).create();
        assertEquals("rwxr-xr-x", mode(home.root()));
        assertEquals("rwxr-xr-x", mode(home.instancesDir()));
        assertEquals("rwx------", mode(home.s3DataDir().getParent()), "every instance's base backups and WAL are below it");
        assertEquals("rwx------", mode(home.kafkaDir()));
        assertEquals("rwx------", mode(home.secretsDir()));
    }

    @Test
    void anOlderHomeGetsTheModesAtItsNextStart() throws IOException {
        Path root = tmp.resolve("old");
        Files.createDirectories(root.resolve("s3").resolve("data"));
        Files.setPosixFilePermissions(root.resolve("s3"), PosixFilePermissions.fromString("rwxr-xr-x"));
        RuntimeHome home = new RuntimeHome(root).create();
        assertEquals("rwx------", mode(home.s3DataDir().getParent()));
    }

    private static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }
}
