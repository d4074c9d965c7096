package io.tideline.platform.local.postgres;

import io.tideline.core.instance.InstanceCredentials;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.postgresql.PGConnection;

/**
 * The tenant's role on an instance ({@link InstanceCredentials#OWNER_USER}), the way managed services
 * make one: it logs in, creates databases and owns the {@code postgres} database (so it may create
 * schemas and tables there), but it is no superuser and holds none of the roles that open the server's
 * files or programs ({@link #FILE_ROLES}), so it cannot reach its own data directory nor another
 * instance's. Applied as Tideline's superuser, idempotently: on a new cluster, and again after a
 * restore, where the role comes with the backup and must be brought back to these attributes.
 *
 * <p>{@code CREATEROLE} is given from PostgreSQL 16 on only: up to 15 a {@code CREATEROLE} role may
 * grant any non-superuser role, {@code pg_execute_server_program} included, to itself.
 */
final class OwnerRole {

    static final String[] FILE_ROLES = {"pg_read_server_files", "pg_write_server_files", "pg_execute_server_program"};
    private static final int CREATEROLE_IS_SAFE_FROM = 16;
    private static final String SCRAM = "scram-sha-256";

    private OwnerRole() {
    }

    /**
     * Creates the role if missing, sets its attributes and its password, and takes the file roles from it.
     * A role made here also gets the {@code postgres} database; one that came with a backup keeps what it owned.
     */
    static void apply(Connection admin, int majorVersion, String password) throws SQLException {
        String owner = InstanceCredentials.OWNER_USER;
        String attributes = "LOGIN NOSUPERUSER NOREPLICATION NOBYPASSRLS CREATEDB INHERIT "
                + (majorVersion >= CREATEROLE_IS_SAFE_FROM ? "CREATEROLE" : "NOCREATEROLE");
        try (Statement st = admin.createStatement()) {
            boolean exists;
            try (ResultSet rs = st.executeQuery("SELECT 1 FROM pg_roles WHERE rolname = '" + owner + "'")) {
                exists = rs.next();
            }
            if (exists) {
                st.execute("ALTER ROLE " + owner + " WITH " + attributes);
            } else {
                st.execute("CREATE ROLE " + owner + " WITH " + attributes);
                st.execute("ALTER DATABASE postgres OWNER TO " + owner);
            }
            for (String fileRole : FILE_ROLES) {
                // REVOKE of a membership that does not exist only warns.
                st.execute("REVOKE " + fileRole + " FROM " + owner + " CASCADE");
            }
        }
        admin.unwrap(PGConnection.class).alterUserPassword(owner, password.toCharArray(), SCRAM);
    }
}
