package io.tideline.platform.local.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tideline.core.instance.ProvisionedInstance;
import io.tideline.core.instance.RecoverySettings;
import io.tideline.testkit.PostgresClusters;
import io.tideline.testkit.PostgresExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What a tenant can do with the credentials Tideline hands it: administer its own databases, but
 * never read or write a file of the server — neither another instance's data directory nor its own.
 */
@ExtendWith(PostgresExtension.class)
class TenantIsolationIT {

    private static final String[] FILE_ROLES = {"pg_read_server_files", "pg_write_server_files", "pg_execute_server_program"};

    @Test
    void anOwnerReachesNoFileOfAnyInstance(PostgresClusters clusters) throws Exception {
        ProvisionedInstance a = clusters.create("tenant-a");
        ProvisionedInstance b = clusters.create("tenant-b");
        try (Connection c = clusters.connect(b); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE private_rows (note text)");
            st.execute("INSERT INTO private_rows VALUES ('b only')");
        }
        Path dropped = b.dataDir().resolve("dropped-by-a");

        try (Connection owner = clusters.connectAsOwner(a); Statement st = owner.createStatement()) {
            // It is not a superuser and holds none of the roles that open the server's files.
            assertEquals("f", one(st, "SELECT rolsuper::text::char FROM pg_roles WHERE rolname = current_user"));
            for (String role : FILE_ROLES) {
                assertEquals("f", one(st, "SELECT pg_has_role(current_user, '" + role + "', 'MEMBER')::text::char"), role);
            }

            // Files of the other instance, and of its own: every attempt refused.
            refused(st, "SELECT pg_read_binary_file('" + b.dataDir().resolve("global/pg_control") + "')");
            refused(st, "SELECT pg_ls_dir('" + b.dataDir().resolve("base") + "')");
            refused(st, "COPY (SELECT 'x') TO '" + dropped + "'");
            refused(st, "SELECT pg_read_binary_file('" + a.dataDir().resolve("global/pg_control") + "')");
            refused(st, "SELECT pg_ls_dir('" + a.dataDir().resolve("base") + "')");
            refused(st, "SELECT pg_read_file('postgresql.auto.conf')");
            refused(st, "COPY (SELECT 'x') TO PROGRAM 'true'");
            // Nor can it hand itself the roles it lacks.
            for (String role : FILE_ROLES) {
                refused(st, "GRANT " + role + " TO current_user");
            }
            assertEquals("f", one(st, "SELECT pg_has_role(current_user, 'pg_read_server_files', 'MEMBER')::text::char"));

            // What it may do: its own tables and databases.
            st.execute("CREATE TABLE mine (id int)");
            st.execute("INSERT INTO mine VALUES (1)");
            assertEquals("1", one(st, "SELECT count(*) FROM mine"));
            st.execute("CREATE DATABASE tenant_app");
        }
        assertFalse(Files.exists(dropped), "nothing was written into B's data directory");
    }

    @Test
    void aRestoredInstancesOwnerIsBroughtBackToATenantAndGetsANewPassword(PostgresClusters clusters) throws Exception {
        ProvisionedInstance source = clusters.create("tenant-src");
        try (Connection c = clusters.connectAsOwner(source); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE orders (id int)");
            st.execute("INSERT INTO orders VALUES (1), (2)");
        }
        // A backup whose owner role holds what a tenant must not (an older or foreign source).
        try (Connection c = clusters.connect(source); Statement st = c.createStatement()) {
            st.execute("ALTER ROLE " + source.ownerUser() + " SUPERUSER");
            st.execute("GRANT pg_read_server_files, pg_execute_server_program TO " + source.ownerUser());
        }
        Path backup = Files.createDirectories(clusters.home().resolve("tenant-work-" + System.nanoTime())).resolve("basebackup");
        LocalPostgresProvisionerIT.basebackup(clusters, source, backup);

        ProvisionedInstance restored = LocalPostgresProvisionerIT.restore(clusters, source, backup, RecoverySettings.toLatest("cp /nonexistent/%f %p"));
        clusters.provisioner().rotatePasswords(restored.id());

        String ownerPassword = clusters.secrets().get(restored.ownerSecret());
        assertNotEquals(clusters.secrets().get(source.ownerSecret()), ownerPassword, "the owner's password was rotated too");
        try (Connection owner = clusters.connectAsOwner(restored); Statement st = owner.createStatement()) {
            assertEquals("2", one(st, "SELECT count(*) FROM orders"), "the owner keeps its data");
            assertEquals("f", one(st, "SELECT rolsuper::text::char FROM pg_roles WHERE rolname = current_user"));
            for (String role : FILE_ROLES) {
                assertEquals("f", one(st, "SELECT pg_has_role(current_user, '" + role + "', 'MEMBER')::text::char"), role);
            }
            refused(st, "SELECT pg_read_binary_file('" + source.dataDir().resolve("global/pg_control") + "')");
            refused(st, "SELECT pg_ls_dir('" + restored.dataDir().resolve("base") + "')");
        }
    }

    private static void refused(Statement st, String sql) {
        SQLException e = assertThrows(SQLException.class, () -> st.execute(sql), sql);
        assertTrue(e.getMessage().contains("permission denied") || e.getMessage().contains("must be superuser")
                || e.getMessage().contains("must have admin option") || e.getMessage().contains("must be a member"),
                sql + ": " + e.getMessage());
    }

    private static String one(Statement st, String sql) throws SQLException {
        try (ResultSet rs = st.executeQuery(sql)) {
            assertTrue(rs.next(), sql);
            return rs.getString(1);
        }
    }
}
