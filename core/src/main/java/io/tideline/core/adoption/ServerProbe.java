package io.tideline.core.adoption;

import io.tideline.core.adoption.ServerFacts.Attempt;
import io.tideline.core.adoption.ServerFacts.Outcome;
import io.tideline.core.adoption.ServerFacts.Settings;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import org.postgresql.PGProperty;

/**
 * Looks at an existing server the way Tideline will use it — an ordinary connection of each role, a
 * replication connection of the replication role — and reads its settings; it changes nothing on the
 * server. Every connection is bounded by the connect timeout, so an unreachable host costs that long once.
 * What was found is judged by {@link ServerCheck}.
 */
public final class ServerProbe {

    /** The archiver's physical slot ({@code tideline.archiver.wal.slot-name}'s default): a re-check counts it as Tideline's. */
    public static final String TIDELINE_SLOT = "tideline_archiver";

    private final Duration connectTimeout;
    private final String slotName;

    public ServerProbe(Duration connectTimeout) {
        this(connectTimeout, TIDELINE_SLOT);
    }

    public ServerProbe(Duration connectTimeout, String slotName) {
        this.connectTimeout = connectTimeout;
        this.slotName = slotName;
    }

    public String slotName() {
        return slotName;
    }

    public Duration connectTimeout() {
        return connectTimeout;
    }

    /** Probes and judges. */
    public CheckReport check(ExistingServer server) {
        return ServerCheck.evaluate(server, probe(server), clientHint(server));
    }

    /**
     * How the owner's pg_hba.conf lines should name this host: the local address of a TCP connection to the
     * server (what the server sees), as a /32 (or /128); a placeholder when the server does not answer.
     */
    String clientHint(ExistingServer server) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(server.host(), server.port()), (int) Math.max(1, connectTimeout.toMillis()));
            InetAddress local = socket.getLocalAddress();
            return local.getHostAddress() + (local instanceof Inet6Address ? "/128" : "/32");
        } catch (IOException | RuntimeException e) {
            return "<address of the Tideline host>/32";
        }
    }

    public ServerFacts probe(ExistingServer server) {
        Optional<Settings> settings = Optional.empty();
        Attempt admin;
        try (Connection c = DriverManager.getConnection(server.jdbcUrl(), properties(server, server.adminUser(), server.adminPassword()))) {
            admin = Attempt.ok();
            settings = Optional.of(readSettings(c, server));
        } catch (SQLException e) {
            admin = classify(e, false);
        }
        if (admin.outcome() == Outcome.UNREACHABLE || admin.outcome() == Outcome.TLS_NOT_OFFERED
                || admin.outcome() == Outcome.TLS_UNKNOWN_CA || admin.outcome() == Outcome.TLS_WRONG_NAME) {
            return new ServerFacts(admin, server.oneRole() ? Optional.empty() : Optional.of(Attempt.notTried()),
                    Attempt.notTried(), settings);
        }
        Optional<Attempt> replicationLogin = Optional.empty();
        if (!server.oneRole()) {
            replicationLogin = Optional.of(attempt(server, false));
        }
        return new ServerFacts(admin, replicationLogin, attempt(server, true), settings);
    }

    /** A connection of the replication role: ordinary, or a walsender asked for its system identity. */
    private Attempt attempt(ExistingServer server, boolean replication) {
        Properties props = properties(server, server.replicationUser(), server.replicationPassword());
        if (replication) {
            PGProperty.REPLICATION.set(props, "true");
            PGProperty.ASSUME_MIN_SERVER_VERSION.set(props, "9.4");
            PGProperty.PREFER_QUERY_MODE.set(props, "simple");
        }
        try (Connection c = DriverManager.getConnection(server.jdbcUrl(), props); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery(replication ? "IDENTIFY_SYSTEM" : "SELECT 1")) {
                rs.next();
            }
            return Attempt.ok();
        } catch (SQLException e) {
            return classify(e, replication);
        }
    }

    private Settings readSettings(Connection c, ExistingServer server) throws SQLException {
        String sql = "SELECT current_setting('server_version_num')::int,"
                + " (SELECT rolsuper FROM pg_roles WHERE rolname = current_user),"
                + " r.rolname IS NOT NULL, coalesce(r.rolcanlogin, false), coalesce(r.rolreplication OR r.rolsuper, false),"
                + " CASE WHEN r.rolname IS NULL THEN false ELSE has_database_privilege(r.rolname, current_database(), 'CONNECT') END,"
                + " current_setting('wal_level'), current_setting('max_wal_senders')::int,"
                + " (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'walsender')::int,"
                + " coalesce((SELECT active FROM pg_replication_slots WHERE slot_name = ?), false),"
                + " current_setting('max_replication_slots')::int,"
                + " (SELECT count(*) FROM pg_replication_slots)::int,"
                + " EXISTS (SELECT 1 FROM pg_replication_slots WHERE slot_name = ?),"
                + " current_setting('data_checksums') = 'on', current_setting('ssl') = 'on',"
                + " (SELECT setting::bigint FROM pg_settings WHERE name = 'wal_segment_size')"
                + " FROM (SELECT 1) one LEFT JOIN pg_roles r ON r.rolname = ?";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, slotName);
            ps.setString(2, slotName);
            ps.setString(3, server.replicationUser());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new Settings(rs.getInt(1), rs.getBoolean(2), rs.getBoolean(3), rs.getBoolean(4), rs.getBoolean(5),
                        rs.getBoolean(6), rs.getString(7), rs.getInt(8), rs.getInt(9), rs.getBoolean(10), rs.getInt(11),
                        rs.getInt(12), rs.getBoolean(13), rs.getBoolean(14), rs.getBoolean(15), rs.getLong(16));
            }
        }
    }

    /**
     * What a failed connection means, by SQLSTATE first and the server's message where one code covers two
     * causes (28000 is both "no pg_hba.conf entry" and other authorization failures). Package-private for tests.
     */
    static Attempt classify(SQLException e, boolean replication) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        String lower = message.toLowerCase(Locale.ROOT);
        Outcome outcome;
        if (lower.contains("does not support ssl")) {
            outcome = Outcome.TLS_NOT_OFFERED;
        } else if (lower.contains("could not be verified by hostnameverifier")) {
            outcome = Outcome.TLS_WRONG_NAME;
        } else if (lower.contains("pkix path") || lower.contains("unable to find valid certification path")
                || lower.contains("certificate_unknown") || lower.contains("unknown_ca")) {
            outcome = Outcome.TLS_UNKNOWN_CA;
        } else if (state.startsWith("08")) {
            outcome = Outcome.UNREACHABLE;
        } else if (state.equals("28000") && lower.contains("pg_hba.conf")) {
            outcome = Outcome.HBA_REFUSED;
        } else if (state.startsWith("28")) {
            outcome = Outcome.AUTH_REFUSED;
        } else if (replication && state.equals("42501")) {
            outcome = Outcome.NOT_REPLICATION_ROLE;
        } else if (replication && state.equals("53300") && lower.contains("max_wal_senders")) {
            outcome = Outcome.NO_WAL_SENDER;
        } else {
            outcome = Outcome.OTHER;
        }
        return new Attempt(outcome, firstLine(message));
    }

    private static String firstLine(String message) {
        int nl = message.indexOf('\n');
        return (nl < 0 ? message : message.substring(0, nl)).strip();
    }

    private Properties properties(String user, String password) {
        Properties props = new Properties();
        int seconds = (int) Math.max(1, connectTimeout.toSeconds());
        PGProperty.USER.set(props, user);
        PGProperty.PASSWORD.set(props, password);
        PGProperty.CONNECT_TIMEOUT.set(props, seconds);
        PGProperty.LOGIN_TIMEOUT.set(props, seconds);
        PGProperty.SOCKET_TIMEOUT.set(props, seconds * 3);
        PGProperty.APPLICATION_NAME.set(props, "tideline-check");
        return props;
    }

    private Properties properties(ExistingServer server, String user, String password) {
        return server.tls().applyTo(properties(user, password));
    }
}
