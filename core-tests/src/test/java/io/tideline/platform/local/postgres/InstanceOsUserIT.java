package io.tideline.platform.local.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tideline.core.ids.InstanceId;
import io.tideline.core.instance.InstanceState;
import io.tideline.core.instance.ProvisionedInstance;
import io.tideline.core.instance.RecoverySettings;
import io.tideline.testkit.PostgresClusters;
import io.tideline.testkit.PostgresExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 17, finding 3, defence in depth: each instance Tideline makes runs as an OS user of its own, so
 * even a server's superuser (here Tideline's own admin role, the strongest there is) cannot read or write
 * another instance's files. On the old code every server ran as {@code postgres} and each of these reads
 * and writes succeeded.
 */
@ExtendWith(PostgresExtension.class)
class InstanceOsUserIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @BeforeEach
    void onlyRootSwitchesUsers() {
        assumeTrue(LocalPostgresConfig.isRoot(), "only root can run servers as other users; otherwise all run as us (documented)");
    }

    @Test
    void anInstancesSuperuserReachesNoFileOfAnotherInstance(PostgresClusters clusters) throws Exception {
        ProvisionedInstance a = clusters.create("os-a");
        ProvisionedInstance b = clusters.create("os-b");
        String tableFile;
        try (Connection c = clusters.connect(b); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE private_rows (note text)");
            st.execute("INSERT INTO private_rows VALUES ('b only')");
            st.execute("CHECKPOINT");
            tableFile = one(st, "SELECT pg_relation_filepath('private_rows')");
        }
        assertTrue(Files.exists(b.dataDir().resolve(tableFile)), "the table file exists: a refusal below is not a missing file");
        Path dropped = b.dataDir().resolve("dropped-by-a");

        try (Connection admin = clusters.connect(a); Statement st = admin.createStatement()) {
            assertEquals("t", one(st, "SELECT rolsuper::text::char FROM pg_roles WHERE rolname = current_user"));
            // Its own files it reads: what follows is refused by the OS, not by a role's lack of rights.
            assertTrue(Integer.parseInt(one(st, "SELECT length(pg_read_binary_file('global/pg_control'))")) > 0);

            deniedByTheOs(st, "SELECT pg_read_binary_file('" + b.dataDir().resolve("global/pg_control") + "')");
            deniedByTheOs(st, "SELECT pg_read_binary_file('" + b.dataDir().resolve(tableFile) + "')");
            deniedByTheOs(st, "SELECT pg_ls_dir('" + b.dataDir().resolve("base") + "')");
            deniedByTheOs(st, "COPY (SELECT 'x') TO '" + dropped + "'");
            // Nor B's server log beside its data directory.
            deniedByTheOs(st, "SELECT pg_read_file('" + b.dataDir().resolveSibling("postgres.log") + "')");
            // Nor Tideline's secrets, which hold every instance's passwords.
            deniedByTheOs(st, "SELECT pg_ls_dir('" + clusters.home().resolve("secrets") + "')");
        }
        assertFalse(Files.exists(dropped), "nothing was written into B's data directory");

        // Two servers, two users, each owning its own data directory, private to it.
        int uidA = postmasterUid(a);
        int uidB = postmasterUid(b);
        assertNotEquals(uidA, uidB, "A and B run as different OS users");
        for (ProvisionedInstance instance : List.of(a, b)) {
            int uid = postmasterUid(instance);
            assertNotEquals(0, uid);
            assertEquals(uid, (int) Files.getAttribute(instance.dataDir(), "unix:uid", LinkOption.NOFOLLOW_LINKS));
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(instance.dataDir())));
            String user = clusters.provisioner().serverUserOf(instance.id()).orElseThrow();
            assertTrue(user.startsWith("tl-") && user.length() <= 32, user);
            assertEquals(user, Files.getOwner(instance.dataDir()).getName());
            assertEquals(user, Files.getOwner(instance.dataDir().resolveSibling("postgres.log")).getName());
            assertEquals("/usr/sbin/nologin", passwdEntry(user)[6], "no login shell");
        }
    }

    @Test
    void aRestoredInstanceRunsAsAUserOfItsOwnAndTakesItAwayWhenDestroyed(PostgresClusters clusters) throws Exception {
        ProvisionedInstance source = clusters.create("os-src");
        try (Connection c = clusters.connect(source); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE kept (id int)");
            st.execute("INSERT INTO kept VALUES (1), (2), (3)");
        }
        Path backup = Files.createDirectories(clusters.home().resolve("os-work-" + System.nanoTime())).resolve("basebackup");
        LocalPostgresProvisionerIT.basebackup(clusters, source, backup);
        ProvisionedInstance restored = LocalPostgresProvisionerIT.restore(clusters, source, backup,
                RecoverySettings.toLatest("cp /nonexistent/%f %p"));

        String user = clusters.provisioner().serverUserOf(restored.id()).orElseThrow();
        assertNotEquals(clusters.provisioner().serverUserOf(source.id()).orElseThrow(), user);
        assertEquals(uidOf(user), postmasterUid(restored));
        assertEquals(user, Files.getOwner(restored.dataDir().resolve("PG_VERSION")).getName(), "the unpacked backup is handed to it");
        try (Connection c = clusters.connect(restored); Statement st = c.createStatement()) {
            assertEquals("3", one(st, "SELECT count(*) FROM kept"));
            deniedByTheOs(st, "SELECT pg_read_binary_file('" + source.dataDir().resolve("global/pg_control") + "')");
        }

        clusters.provisioner().destroy(restored.id());
        assertFalse(userExists(user), "its OS user went with it");
        assertTrue(userExists(clusters.provisioner().serverUserOf(source.id()).orElseThrow()), "the source's user is untouched");
    }

    @Test
    void aHalfMadeRestoreTargetTakesItsUserAwayToo(PostgresClusters clusters) {
        InstanceId id = clusters.newId("os-half");
        clusters.provisioner().allocate(id);
        String user = clusters.provisioner().serverUserOf(id).orElseThrow();
        assertTrue(userExists(user));
        // What HalfMadeInstances / AbandonedRestoreCleanup call for a failed restore's new instance.
        clusters.provisioner().destroy(id);
        assertFalse(userExists(user));
        assertEquals(Optional.empty(), clusters.provisioner().state(id));
    }

    @Test
    void anInstanceMadeBeforeUsersOfTheirOwnIsAdoptedAsItIs(PostgresClusters clusters) throws Exception {
        ProvisionedInstance old = clusters.create("os-old");
        try (Connection c = clusters.connect(old); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE legacy (id int)");
            st.execute("INSERT INTO legacy VALUES (7)");
        }
        clusters.provisioner().stop(old.id());
        // Make it what an older Tideline left: everything the postgres user's, and a record naming no user.
        String own = clusters.provisioner().serverUserOf(old.id()).orElseThrow();
        Path dir = old.dataDir().getParent();
        giveTreeTo(old.dataDir(), "postgres");
        giveTreeTo(dir.resolve("postgres.log"), "postgres");
        ObjectNode record = (ObjectNode) JSON.readTree(dir.resolve("instance.json").toFile());
        record.remove("osUser");
        Files.writeString(dir.resolve("instance.json"), JSON.writeValueAsString(record));
        run("userdel", own);

        assertEquals(Optional.of("postgres"), clusters.provisioner().serverUserOf(old.id()));
        assertEquals(Optional.of(InstanceState.STOPPED), clusters.provisioner().state(old.id()));
        clusters.provisioner().start(old.id());
        assertEquals(Optional.of(InstanceState.RUNNING), clusters.provisioner().state(old.id()));
        assertEquals(uidOf("postgres"), postmasterUid(old));
        try (Connection c = clusters.connect(old); Statement st = c.createStatement()) {
            assertEquals("7", one(st, "SELECT id FROM legacy"));
        }
        assertFalse(userExists(own), "no user is made for an adopted instance");

        clusters.provisioner().destroy(old.id());
        assertTrue(userExists("postgres"), "the shared user of older instances is never removed");
    }

    // ------------------------------------------------------------------ helpers

    private static void deniedByTheOs(Statement st, String sql) {
        SQLException e = assertThrows(SQLException.class, () -> st.execute(sql), sql);
        assertTrue(e.getMessage().contains("Permission denied"), sql + ": " + e.getMessage());
    }

    /** The real uid of the instance's postmaster, from its PID file and {@code /proc/<pid>/status}. */
    private static int postmasterUid(ProvisionedInstance instance) throws IOException {
        long pid = Long.parseLong(Files.readAllLines(instance.dataDir().resolve("postmaster.pid")).get(0).strip());
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("Uid:")) {
                return Integer.parseInt(line.split("\\s+")[1]);
            }
        }
        throw new AssertionError("no Uid line for pid " + pid);
    }

    private static String[] passwdEntry(String user) throws IOException {
        try (Stream<String> lines = Files.lines(Path.of("/etc/passwd"))) {
            return lines.map(l -> l.split(":", -1)).filter(f -> f[0].equals(user)).findFirst()
                    .orElseThrow(() -> new AssertionError("no passwd entry for " + user));
        }
    }

    private static int uidOf(String user) throws IOException {
        return Integer.parseInt(passwdEntry(user)[2]);
    }

    private static boolean userExists(String user) {
        try {
            Path.of("/").getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(user);
            return true;
        } catch (UserPrincipalNotFoundException e) {
            return false;
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static void giveTreeTo(Path root, String user) throws IOException {
        UserPrincipal owner = root.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(user);
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : (Iterable<Path>) paths::iterator) {
                Files.getFileAttributeView(p, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).setOwner(owner);
            }
        }
    }

    private static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
    }

    private static String one(Statement st, String sql) throws SQLException {
        try (ResultSet rs = st.executeQuery(sql)) {
            assertTrue(rs.next(), sql);
            return rs.getString(1);
        }
    }
}
