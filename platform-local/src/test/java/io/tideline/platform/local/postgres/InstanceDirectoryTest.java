package io.tideline.platform.local.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tideline.core.ids.InstanceId;
import io.tideline.core.instance.InstanceCredentials;
import io.tideline.core.instance.ProvisionedInstance;
import io.tideline.core.instance.WalSpool;
import io.tideline.platform.local.secrets.DirectorySecretStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InstanceDirectoryTest {

    /** instance.json as the provisioner has always written it: a home made before must still be found. */
    private static final String EARLIER_RECORD = """
            {
              "id" : "pg-old-1",
              "port" : 54321,
              "origin" : "initdb",
              "recovered" : false,
              "adminUser" : "tideline_admin",
              "adminSecret" : "instances/pg-old-1/admin",
              "replicationUser" : "tideline_replicator",
              "replicationSecret" : "instances/pg-old-1/replicator",
              "postgresVersion" : "15.18",
              "createdAt" : "2026-11-01T10:00:00Z"
            }
            """;

    @TempDir
    Path home;

    private InstanceDirectories directories() {
        return new InstanceDirectories(home.resolve("instances"), new ServerUser(Optional.empty(), home.getFileSystem()));
    }

    @Test
    void anInstanceLivesUnderInstancesSlashItsId() {
        InstanceDirectory dir = directories().of(InstanceId.of("pg-1"));
        Path root = home.resolve("instances").resolve("pg-1");
        assertEquals(root, dir.path());
        assertEquals(root.resolve("pgdata"), dir.dataDir());
        assertEquals(root.resolve("postgres.log"), dir.log().file());
        assertEquals(root.resolve("wal-spool"), dir.walSpoolDir());
    }

    @Test
    void aRuntimeMadeByAnEarlierProcessIsFoundWithoutStartingAnything() throws IOException {
        Path dir = Files.createDirectories(home.resolve("instances").resolve("pg-old-1").resolve("pgdata")).getParent();
        Files.writeString(dir.resolve("instance.json"), EARLIER_RECORD);
        Path torn = Files.createDirectories(home.resolve("instances").resolve("pg-torn"));
        Files.writeString(torn.resolve("instance.json"), "{\"id\": \"pg-torn\", \"port\": ");

        LocalPostgresProvisioner provisioner = new LocalPostgresProvisioner(LocalPostgresConfig.defaults(home),
                new DirectorySecretStore(home.resolve("secrets")), Clock.systemUTC());
        ProvisionedInstance expected = new ProvisionedInstance(InstanceId.of("pg-old-1"), "127.0.0.1", 54321, "postgres",
                InstanceCredentials.standard(InstanceId.of("pg-old-1")), dir.resolve("pgdata"), "15.18");
        assertEquals(Optional.of(expected), provisioner.find(InstanceId.of("pg-old-1")));
        assertEquals(List.of(expected), provisioner.list(), "the torn record is skipped, not fatal");
    }

    @Test
    void theWarmUpOfARestoreMakesNothing() throws IOException {
        LocalPostgresProvisioner provisioner = new LocalPostgresProvisioner(LocalPostgresConfig.defaults(home),
                new DirectorySecretStore(home.resolve("secrets")), Clock.systemUTC());
        provisioner.warmUp();
        assertEquals(List.of(), provisioner.list(), "no instance made");
        try (var left = Files.list(home)) {
            assertEquals(List.of(), left.filter(p -> !p.getFileName().toString().equals("secrets")).toList(), "nothing written in the home");
        }
    }

    @Test
    void createMakesTheDirectoriesWithTheModesTheServerInsistsOn() throws IOException {
        InstanceDirectory dir = directories().of(InstanceId.of("pg-3"));
        dir.requireAbsent(InstanceId.of("pg-3"));
        dir.create();
        assertEquals("rwxr-xr-x", mode(dir.path()));
        assertEquals("rwx------", mode(dir.dataDir()));
        assertEquals("rw-------", mode(dir.log().file()));
        assertEquals(List.of(), listing(dir.dataDir()), "an empty data directory for initdb or a backup");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> dir.requireAbsent(InstanceId.of("pg-3")));
        assertTrue(e.getMessage().contains("already exists"), e.getMessage());

        InstanceRecord record = InstanceRecord.of(InstanceId.of("pg-3"), 6001, InstanceRecord.ORIGIN_RESTORE,
                InstanceCredentials.standard(InstanceId.of("pg-3")), "15.18", "2026-12-07T12:00:00Z", "tl-0123456789ab");
        dir.write(record);
        assertEquals(Optional.of(record), dir.readRecord());
        assertTrue(record.awaitsBackup());
        assertEquals("rw-r--r--", mode(dir.path().resolve("instance.json")));

        WalSpool spool = dir.createWalSpool().orElseThrow();
        assertEquals("rwx------", mode(dir.walSpoolDir()));
        assertTrue(spool.restoreCommandFragment().contains(dir.walSpoolDir() + "/%f"));

        dir.delete();
        assertFalse(Files.exists(dir.path()));
    }

    @Test
    void aSpoolIsLeftOutWhenItsPathCannotGoIntoAShellCommand() throws IOException {
        InstanceDirectories quoted = new InstanceDirectories(home.resolve("in\"stances"),
                new ServerUser(Optional.empty(), home.getFileSystem()));
        InstanceDirectory dir = quoted.of(InstanceId.of("pg-4"));
        dir.create();
        assertEquals(Optional.empty(), dir.createWalSpool(), "the server then fetches every segment over HTTP");
    }

    private static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    private static List<Path> listing(Path dir) throws IOException {
        try (var files = Files.list(dir)) {
            return files.toList();
        }
    }
}
