package io.tideline.platform.local.postgres;

import io.tideline.core.ids.InstanceId;
import io.tideline.core.instance.InstanceCredentials;
import io.tideline.core.instance.InstanceOperationException;
import io.tideline.core.secrets.SecretRef;
import io.tideline.core.secrets.SecretStore;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Base64;
import org.postgresql.PGConnection;

/**
 * The instance roles' passwords: random, kept in the secret store, and given to the server as SCRAM
 * verifiers hashed on our side, so a clear password never reaches the server or its logs.
 */
final class Passwords {

    private static final String SCRAM = "scram-sha-256";

    private final SecretStore secrets;
    private final InstanceConnector connector;
    private final SecureRandom random = new SecureRandom();

    Passwords(SecretStore secrets, InstanceConnector connector) {
        this.secrets = secrets;
        this.connector = connector;
    }

    /** A new random password, stored under {@code ref}. */
    String storeNew(SecretRef ref) {
        String password = newPassword();
        secrets.put(ref, password);
        return password;
    }

    /** Creates the replication role and the tenant's {@link OwnerRole} of a new cluster, logged in as its admin. */
    void createRoles(InstanceRecord record, String adminPassword, String replicationPassword, String ownerPassword)
            throws SQLException {
        InstanceCredentials credentials = record.credentials();
        try (Connection c = connector.connect(record, credentials.adminUser(), adminPassword)) {
            try (Statement st = c.createStatement()) {
                st.execute("CREATE ROLE " + credentials.replicationUser() + " WITH LOGIN REPLICATION");
            }
            c.unwrap(PGConnection.class).alterUserPassword(credentials.replicationUser(), replicationPassword.toCharArray(), SCRAM);
            OwnerRole.apply(c, record.majorVersion(), ownerPassword);
        }
    }

    /**
     * Gives every role new passwords; used after a restore, whose roles came with the backup. The
     * tenant's {@link OwnerRole} is (re)applied first: made if the source had none, and brought back
     * to no superuser and no file roles whatever the backup said. The admin's password is changed
     * last and put back on the server if it cannot be stored, so the stored admin password always works.
     */
    void rotate(InstanceId id, InstanceRecord record) {
        InstanceCredentials credentials = record.credentials();
        String oldAdmin = secrets.get(credentials.adminSecret());
        try (Connection c = connector.connect(record, credentials.adminUser(), oldAdmin)) {
            PGConnection pg = c.unwrap(PGConnection.class);
            String owner = newPassword();
            OwnerRole.apply(c, record.majorVersion(), owner);
            secrets.put(InstanceCredentials.ownerSecret(id), owner);
            String replication = newPassword();
            ensureReplicationRole(c, credentials.replicationUser());
            pg.alterUserPassword(credentials.replicationUser(), replication.toCharArray(), SCRAM);
            secrets.put(credentials.replicationSecret(), replication);
            String admin = newPassword();
            pg.alterUserPassword(credentials.adminUser(), admin.toCharArray(), SCRAM);
            try {
                secrets.put(credentials.adminSecret(), admin);
            } catch (RuntimeException e) {
                pg.alterUserPassword(credentials.adminUser(), oldAdmin.toCharArray(), SCRAM);
                throw e;
            }
        } catch (SQLException e) {
            throw new InstanceOperationException("rotating the passwords of instance " + id + " failed: " + e.getMessage(), e);
        }
    }

    /**
     * The copy of a server whose one superuser also streamed has no replication role of its own
     * ({@link InstanceCredentials#forCopy}): it is made here. A role that came with the backup is left as it is.
     */
    private static void ensureReplicationRole(Connection c, String role) throws SQLException {
        try (Statement st = c.createStatement()) {
            boolean exists;
            try (java.sql.ResultSet rs = st.executeQuery("SELECT 1 FROM pg_roles WHERE rolname = '" + role + "'")) {
                exists = rs.next();
            }
            if (!exists) {
                st.execute("CREATE ROLE " + role + " WITH LOGIN REPLICATION");
            }
        }
    }

    private String newPassword() {
        byte[] bytes = new byte[24];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
