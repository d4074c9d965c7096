package io.tideline.platform.local.postgres;

import io.tideline.core.ids.InstanceId;
import io.tideline.core.instance.InstanceCredentials;
import io.tideline.core.instance.InstanceOperationException;
import io.tideline.core.secrets.SecretStore;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Waits until a recovering server has promoted, polling {@code pg_is_in_recovery()} as its admin; gives
 * up at once, with the server log's tail, when the server stops or refuses the password.
 */
final class PromotionWait {

    private static final Logger LOG = LoggerFactory.getLogger(PromotionWait.class);
    /** Part of every restore's time to promotion, so short: a login attempt on loopback costs little. */
    private static final Duration POLL_INTERVAL = Duration.ofMillis(100);

    private final PostgresServer server;
    private final InstanceConnector connector;
    private final SecretStore secrets;

    PromotionWait(PostgresServer server, InstanceConnector connector, SecretStore secrets) {
        this.server = server;
        this.connector = connector;
        this.secrets = secrets;
    }

    /**
     * Polls on one session, held from its first successful login to the promotion (a hot-standby session survives
     * it): a login per poll cost a SCRAM key derivation in this JVM and a backend fork in the server ten times a
     * second, CPU taken from the replay on a small machine. The server's liveness is asked only while no session is
     * held: a held session breaks when the server stops (its backend exits with the postmaster), and then it is asked.
     */
    void await(InstanceId id, InstanceDirectory dir, InstanceRecord record, Duration timeout) {
        InstanceCredentials credentials = record.credentials();
        Deadline deadline = Deadline.after(timeout);
        String lastProblem = "no answer yet";
        Connection session = null;
        try {
            while (true) {
                if (session == null && !server.isRunning(id, dir)) {
                    throw new InstanceOperationException("instance " + id + " stopped before it was promoted"
                            + " (WAL it needed could not be fetched, or the recovery target lies beyond the available WAL?)"
                            + dir.log().tail());
                }
                try {
                    if (session == null) {
                        session = connector.connect(record, credentials.adminUser(), password(credentials));
                    }
                    if (!inRecovery(session)) {
                        LOG.info("instance {} promoted", id);
                        return;
                    }
                    lastProblem = "still in recovery";
                } catch (SQLException e) {
                    if (InstanceConnector.isAuthenticationFailure(e)) {
                        throw new InstanceOperationException("instance " + id + " refused " + credentials.adminUser()
                                + " (" + e.getMessage() + "): the password under " + credentials.adminSecret()
                                + " must be the backup source's", e);
                    }
                    // Not yet consistent ("the database system is starting up"), not yet listening, or the session broke.
                    lastProblem = e.getMessage();
                    closeQuietly(session);
                    session = null;
                }
                if (deadline.passed()) {
                    throw new InstanceOperationException("instance " + id + " was not promoted within " + timeout.toSeconds()
                            + " s (last: " + lastProblem + ")" + dir.log().tail());
                }
                Deadline.pause(POLL_INTERVAL);
            }
        } finally {
            closeQuietly(session);
        }
    }

    private String password(InstanceCredentials credentials) {
        return secrets.find(credentials.adminSecret()).orElseThrow(() -> new IllegalStateException(
                "no password for " + credentials.adminUser() + " under " + credentials.adminSecret()
                        + ": a restored instance keeps its source's roles, copy the source's password there"));
    }

    private static boolean inRecovery(Connection session) throws SQLException {
        try (Statement st = session.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_is_in_recovery()")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    private static void closeQuietly(Connection session) {
        if (session == null) {
            return;
        }
        try {
            session.close();
        } catch (SQLException e) {
            // a broken session: nothing to give back
        }
    }
}
