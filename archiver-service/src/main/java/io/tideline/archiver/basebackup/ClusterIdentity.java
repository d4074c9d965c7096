package io.tideline.archiver.basebackup;

import io.tideline.core.registry.RegisteredInstance;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;
import io.tideline.core.postgres.PostgresTls;
import org.postgresql.PGProperty;

/**
 * Which cluster a backup is of: its system identifier (unique per {@code initdb}; a restore checks
 * the WAL it replays belongs to it) and its version. Read over a replication connection with the
 * replication role, the same credentials {@code pg_basebackup} uses, so the archiver needs no
 * superuser password: {@code IDENTIFY_SYSTEM} and {@code SHOW} are replication-protocol commands.
 *
 * @param systemIdentifier unsigned 64-bit, as {@code pg_control_system()} shows it
 * @param serverVersionNum {@code server_version_num}, e.g. 150018
 * @param timeline         the server's current timeline (the backup's own comes from its label)
 */
record ClusterIdentity(long systemIdentifier, int serverVersionNum, long timeline) {

    ClusterIdentity {
        if (serverVersionNum < 90_000) {
            throw new IllegalArgumentException("not a server_version_num: " + serverVersionNum);
        }
    }

    static ClusterIdentity read(RegisteredInstance instance, String replicationPassword, PostgresTls tls,
                                Duration connectTimeout) throws SQLException {
        Properties props = new Properties();
        PGProperty.USER.set(props, instance.replicationUser());
        PGProperty.PASSWORD.set(props, replicationPassword);
        PGProperty.REPLICATION.set(props, "true");
        PGProperty.ASSUME_MIN_SERVER_VERSION.set(props, "9.4");
        PGProperty.PREFER_QUERY_MODE.set(props, "simple");
        PGProperty.CONNECT_TIMEOUT.set(props, (int) Math.max(1, connectTimeout.toSeconds()));
        PGProperty.SOCKET_TIMEOUT.set(props, (int) Math.max(1, connectTimeout.toSeconds() * 3));
        PGProperty.APPLICATION_NAME.set(props, "tideline-basebackup");
        tls.applyTo(props);
        try (Connection c = DriverManager.getConnection(instance.jdbcUrl(), props);
             Statement s = c.createStatement()) {
            long systemId;
            long timeline;
            try (ResultSet rs = s.executeQuery("IDENTIFY_SYSTEM")) {
                if (!rs.next()) {
                    throw new SQLException("IDENTIFY_SYSTEM returned no row");
                }
                systemId = Long.parseUnsignedLong(rs.getString("systemid"));
                timeline = rs.getLong("timeline");
            }
            int version;
            try (ResultSet rs = s.executeQuery("SHOW server_version_num")) {
                if (!rs.next()) {
                    throw new SQLException("SHOW server_version_num returned no row");
                }
                version = Integer.parseInt(rs.getString(1).strip());
            }
            return new ClusterIdentity(systemId, version, timeline);
        }
    }
}
