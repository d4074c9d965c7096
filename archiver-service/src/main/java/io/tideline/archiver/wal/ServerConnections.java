package io.tideline.archiver.wal;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/**
 * Ordinary (non-replication) connections of an instance's replication role, with the same timeouts and
 * password source as its stream: for the reads beside the stream (the undo finder's catalog snapshots).
 */
public final class ServerConnections {

    private final ReplicationTarget target;
    private final WalSettings settings;

    public ServerConnections(ReplicationTarget target, WalSettings settings) {
        this.target = target;
        this.settings = settings;
    }

    /** The database the instance is registered with. */
    public String defaultDatabase() {
        return target.database();
    }

    /** A connection to {@code database} of the instance; the caller closes it. */
    public Connection open(String database) throws SQLException {
        String url = "jdbc:postgresql://" + target.host() + ":" + target.port() + "/"
                + URLEncoder.encode(database, StandardCharsets.UTF_8).replace("+", "%20");
        return DriverManager.getConnection(url, ReplicationConnection.properties(target, settings));
    }

    @Override
    public String toString() {
        return target.toString();
    }
}
