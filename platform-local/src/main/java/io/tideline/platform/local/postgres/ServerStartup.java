package io.tideline.platform.local.postgres;

import io.tideline.core.ids.InstanceId;
import io.tideline.core.instance.InstanceCredentials;
import io.tideline.core.instance.InstanceOperationException;
import io.tideline.core.secrets.SecretStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts a server on a port nobody else holds: picks another port when its own was taken (before the
 * start, or while it bound), tries a few times, and with {@code waitReady} returns only once the admin
 * role can log in. A start that fails leaves no server running.
 */
final class ServerStartup {

    private static final Logger LOG = LoggerFactory.getLogger(ServerStartup.class);
    private static final int ATTEMPTS = 3;
    /** Part of every start's time to readiness, so short: a login attempt on loopback costs little. */
    private static final Duration POLL_INTERVAL = Duration.ofMillis(100);

    private final PostgresServer server;
    private final PortAllocator ports;
    private final InstanceConnector connector;
    private final SecretStore secrets;
    private final Duration startTimeout;

    ServerStartup(PostgresServer server, PortAllocator ports, InstanceConnector connector, SecretStore secrets,
                  Duration startTimeout) {
        this.server = server;
        this.ports = ports;
        this.connector = connector;
        this.secrets = secrets;
        this.startTimeout = startTimeout;
    }

    /** Starts the server; the record returned carries the port it listens on. */
    InstanceRecord start(InstanceDirectory dir, InstanceRecord record, boolean waitReady) {
        InstanceId id = record.instanceId();
        ServerLog log = dir.log();
        for (int attempt = 1; ; attempt++) {
            if (!ports.isFree(record.port())) {
                record = movePort(dir, record);
            }
            long logOffset = log.size();
            CommandRunner.Result result = server.start(id, dir, waitReady);
            if (result.ok() && (waitReady ? awaitConnectable(record) : server.awaitRunning(id, dir, logOffset))) {
                return record;
            }
            String newLog = log.since(logOffset);
            if (attempt < ATTEMPTS && (newLog.contains("could not bind") || newLog.contains("Address already in use"))) {
                LOG.warn("port {} of instance {} was taken while starting; choosing another", record.port(), id);
                server.stop(id, dir, PostgresServer.Shutdown.IMMEDIATE);
                record = movePort(dir, record);
                continue;
            }
            server.stop(id, dir, PostgresServer.Shutdown.IMMEDIATE);
            throw new InstanceOperationException("instance " + id + " did not start (pg_ctl exit " + result.exitCode() + "):\n"
                    + result.output() + "\nserver log:\n" + ServerLog.lastLines(newLog));
        }
    }

    /** Waits for a successful admin login; pg_ctl's "ready" can precede it by a moment. */
    private boolean awaitConnectable(InstanceRecord record) {
        InstanceCredentials credentials = record.credentials();
        String password = secrets.get(credentials.adminSecret());
        Deadline deadline = Deadline.after(startTimeout);
        while (true) {
            try (Connection c = connector.connect(record, credentials.adminUser(), password); Statement st = c.createStatement()) {
                st.execute("SELECT 1");
                return true;
            } catch (SQLException e) {
                if (InstanceConnector.isAuthenticationFailure(e)) {
                    throw new InstanceOperationException("instance " + record.id() + " refused its admin role: " + e.getMessage(), e);
                }
                if (deadline.passed()) {
                    LOG.warn("instance {} does not accept connections: {}", record.id(), e.getMessage());
                    return false;
                }
            }
            Deadline.pause(POLL_INTERVAL);
        }
    }

    private InstanceRecord movePort(InstanceDirectory dir, InstanceRecord record) {
        InstanceRecord moved = record.withPort(ports.choose());
        try {
            dir.writeAutoConf(Map.of("port", Integer.toString(moved.port())), key -> false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot change the port of instance " + record.id(), e);
        }
        dir.write(moved);
        return moved;
    }
}
