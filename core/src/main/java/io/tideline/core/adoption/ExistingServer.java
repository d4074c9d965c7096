package io.tideline.core.adoption;

import io.tideline.core.postgres.PostgresTls;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * An existing PostgreSQL server as its owner describes it for adoption: where it is, the database Tideline
 * connects to, its administrative role and its replication role (the same role may be both) with their
 * passwords. The passwords live only in this object, in memory: {@link #toString} leaves them out, and
 * adoption moves them into the secret store before anything else sees the server.
 */
public record ExistingServer(String host, int port, String database, String adminUser, String adminPassword,
                             String replicationUser, String replicationPassword, PostgresTls tls) {

    // Plain identifiers only: the roles are written unquoted into the pg_hba.conf of restored copies.
    private static final Pattern ROLE = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
    private static final Pattern DATABASE = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,62}");
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9][A-Za-z0-9.:-]{0,252}");

    /** Without a CA: Tideline's connections to it are not encrypted ({@code instance check} warns). */
    public ExistingServer(String host, int port, String database, String adminUser, String adminPassword,
                          String replicationUser, String replicationPassword) {
        this(host, port, database, adminUser, adminPassword, replicationUser, replicationPassword, PostgresTls.none());
    }

    public ExistingServer {
        java.util.Objects.requireNonNull(tls, "tls");
        if (host == null || !HOST.matcher(host).matches()) {
            throw new IllegalArgumentException("not a host name or address: '" + host + "'");
        }
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("not a TCP port: " + port);
        }
        if (database == null || !DATABASE.matcher(database).matches()) {
            throw new IllegalArgumentException("not a database name Tideline accepts (letters, digits, _ . -): '" + database + "'");
        }
        requireRole(adminUser, "user");
        requireRole(replicationUser, "replication user");
        requirePassword(adminPassword, adminUser);
        requirePassword(replicationPassword, replicationUser);
        if (adminUser.equals(replicationUser) && !adminPassword.equals(replicationPassword)) {
            throw new IllegalArgumentException("one role, " + adminUser + ", was given two different passwords");
        }
    }

    /** The same server, connected to as {@code how} says ({@code --ca-file}: verify-full against that CA). */
    public ExistingServer withTls(PostgresTls how) {
        return new ExistingServer(host, port, database, adminUser, adminPassword, replicationUser, replicationPassword, how);
    }

    /** One role for everything: the administrative role is also the replication role. */
    public static ExistingServer withOneRole(String host, int port, String database, String user, String password) {
        return new ExistingServer(host, port, database, user, password, user, password);
    }

    /** True when one role does both jobs. */
    public boolean oneRole() {
        return adminUser.equals(replicationUser);
    }

    public String jdbcUrl() {
        return jdbcUrl(database);
    }

    public String jdbcUrl(String db) {
        String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        return "jdbc:postgresql://" + h + ":" + port + "/" + db;
    }

    public String address() {
        return host + ":" + port;
    }

    private static void requireRole(String role, String what) {
        if (role == null || !ROLE.matcher(role).matches()) {
            throw new IllegalArgumentException("the " + what + " must be a plain lower-case role name (a-z, 0-9, _): '" + role + "'");
        }
    }

    private static void requirePassword(String password, String role) {
        Objects.requireNonNull(password, "password");
        if (password.isEmpty()) {
            throw new IllegalArgumentException("the password of " + role + " is empty");
        }
        if (password.indexOf('\n') >= 0 || password.indexOf('\r') >= 0) {
            throw new IllegalArgumentException("the password of " + role + " spans lines (a password file holds one line)");
        }
    }

    /** Never the passwords. */
    @Override
    public String toString() {
        return "ExistingServer[" + address() + "/" + database + ", user " + adminUser + ", replication user " + replicationUser
                + ", sslmode " + tls.sslmode() + "]";
    }
}
