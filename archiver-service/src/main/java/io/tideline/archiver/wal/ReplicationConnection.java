package io.tideline.archiver.wal;

import io.tideline.core.wal.Lsn;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.postgresql.PGConnection;
import org.postgresql.PGProperty;
import org.postgresql.copy.CopyDual;

/**
 * A physical replication connection (pgjdbc, {@code replication=true}) speaking the replication
 * commands the archiver needs — the same ones {@code pg_receivewal} uses, so the archiver needs
 * the replication role only, never the superuser: {@code SHOW wal_segment_size},
 * {@code IDENTIFY_SYSTEM}, {@code TIMELINE_HISTORY}, {@code READ_REPLICATION_SLOT} (PostgreSQL 15+),
 * {@code CREATE_REPLICATION_SLOT … PHYSICAL (RESERVE_WAL)}, {@code DROP_REPLICATION_SLOT} and
 * {@code START_REPLICATION SLOT … PHYSICAL … TIMELINE …}.
 *
 * <p>After {@link #startStreaming} the connection carries the stream until it is closed; a stream
 * is never ended gracefully (see {@link PhysicalStream}), the connection is closed instead.
 */
final class ReplicationConnection implements AutoCloseable {

    /** SQLSTATE of "replication slot … already exists". */
    static final String DUPLICATE_OBJECT = "42710";
    /** SQLSTATE of "replication slot … does not exist". */
    static final String UNDEFINED_OBJECT = "42704";
    /** SQLSTATE of "replication slot … is active for PID …". */
    static final String OBJECT_IN_USE = "55006";

    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(B|kB|MB|GB|TB)?");

    private final ReplicationTarget target;
    private final Connection connection;

    private ReplicationConnection(ReplicationTarget target, Connection connection) {
        this.target = target;
        this.connection = connection;
    }

    static ReplicationConnection open(ReplicationTarget target, WalSettings settings) throws SQLException {
        Properties props = properties(target, settings);
        PGProperty.REPLICATION.set(props, "true");
        PGProperty.ASSUME_MIN_SERVER_VERSION.set(props, "9.4");
        PGProperty.PREFER_QUERY_MODE.set(props, "simple");
        return new ReplicationConnection(target, DriverManager.getConnection(target.jdbcUrl(), props));
    }

    /**
     * Commits a transaction that does nothing but take a transaction id, over an ordinary connection of the
     * same role: the commit record it writes is what moves an idle instance's restorable window on
     * ({@link CommitHorizon}). No table, no privilege beyond login; one xid per heartbeat.
     */
    static void heartbeat(ReplicationTarget target, WalSettings settings) throws SQLException {
        try (Connection c = DriverManager.getConnection(target.jdbcUrl(), properties(target, settings));
             Statement s = c.createStatement()) {
            s.execute("SELECT pg_current_xact_id()"); // autocommit: committed on return
        }
    }

    static Properties properties(ReplicationTarget target, WalSettings settings) {
        Properties props = new Properties();
        PGProperty.USER.set(props, target.user());
        PGProperty.PASSWORD.set(props, target.password().get());
        PGProperty.CONNECT_TIMEOUT.set(props, (int) Math.max(1, settings.connectTimeout().toSeconds()));
        PGProperty.LOGIN_TIMEOUT.set(props, (int) Math.max(1, settings.connectTimeout().toSeconds()));
        // Only blocking reads are affected: a stream is read without blocking. It bounds the wait in
        // the one place pgjdbc blocks inside a stream: after the server ended it (a timeline switch).
        PGProperty.SOCKET_TIMEOUT.set(props, (int) Math.max(1, settings.socketTimeout().toSeconds()));
        PGProperty.TCP_KEEP_ALIVE.set(props, true);
        PGProperty.APPLICATION_NAME.set(props, "tideline-archiver");
        return target.tls().applyTo(props);
    }

    ReplicationTarget target() {
        return target;
    }

    /** The server's {@code wal_segment_size} in bytes. */
    long walSegmentSize() throws SQLException {
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery("SHOW wal_segment_size")) {
            if (!rs.next()) {
                throw new SQLException("SHOW wal_segment_size returned no row");
            }
            return parseSize(rs.getString(1));
        }
    }

    /** Parses a size as the server shows it ({@code 16MB}, {@code 1GB}, {@code 8192}). */
    static long parseSize(String shown) {
        Matcher m = shown == null ? null : SIZE.matcher(shown.trim());
        if (m == null || !m.matches()) {
            throw new IllegalArgumentException("not a size as PostgreSQL shows it: '" + shown + "'");
        }
        long value = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "B" : m.group(2);
        long factor = switch (unit) {
            case "B" -> 1L;
            case "kB" -> 1024L;
            case "MB" -> 1024L * 1024;
            case "GB" -> 1024L * 1024 * 1024;
            case "TB" -> 1024L * 1024 * 1024 * 1024;
            default -> throw new IllegalArgumentException("unknown size unit in '" + shown + "'");
        };
        return Math.multiplyExact(value, factor);
    }

    SystemIdentity identifySystem() throws SQLException {
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery("IDENTIFY_SYSTEM")) {
            if (!rs.next()) {
                throw new SQLException("IDENTIFY_SYSTEM returned no row");
            }
            return new SystemIdentity(rs.getString("systemid"), rs.getLong("timeline"), Lsn.parse(rs.getString("xlogpos")));
        }
    }

    /** The content of the server's history file of {@code timeline} (timeline 1 has none). */
    String timelineHistory(long timeline) throws SQLException {
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery("TIMELINE_HISTORY " + timeline)) {
            if (!rs.next()) {
                throw new SQLException("TIMELINE_HISTORY " + timeline + " returned no row");
            }
            return rs.getString("content");
        }
    }

    /** The slot as the server has it; empty if there is none. An invalidated slot has no restart LSN. */
    Optional<SlotState> readSlot(String name) throws SQLException {
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery("READ_REPLICATION_SLOT " + name)) {
            if (!rs.next() || rs.getString("slot_type") == null) {
                return Optional.empty();
            }
            String type = rs.getString("slot_type");
            String restart = rs.getString("restart_lsn");
            long tli = rs.getLong("restart_tli");
            return Optional.of(new SlotState(name, type.toLowerCase(Locale.ROOT),
                    restart == null ? Optional.empty() : Optional.of(Lsn.parse(restart)),
                    rs.wasNull() ? Optional.empty() : Optional.of(tli)));
        }
    }

    /**
     * Creates the physical slot, reserving WAL from now on; returns false if it existed already
     * (another replica, or an earlier run, made it: both are fine).
     */
    boolean createSlot(String name) throws SQLException {
        try (Statement s = connection.createStatement()) {
            s.execute("CREATE_REPLICATION_SLOT " + name + " PHYSICAL (RESERVE_WAL)");
            return true;
        } catch (SQLException e) {
            if (DUPLICATE_OBJECT.equals(e.getSQLState())) {
                return false;
            }
            throw e;
        }
    }

    void dropSlot(String name) throws SQLException {
        try (Statement s = connection.createStatement()) {
            s.execute("DROP_REPLICATION_SLOT " + name);
        } catch (SQLException e) {
            if (!UNDEFINED_OBJECT.equals(e.getSQLState())) {
                throw e;
            }
        }
    }

    /**
     * Starts streaming {@code timeline} from {@code start} through {@code slot}. Naming the timeline
     * lets the server stream an older timeline of its history up to where it forked, which is how a
     * timeline switch is followed without losing the old timeline's tail; pgjdbc's stream builder has
     * no timeline option, hence the plain CopyBoth command.
     */
    PhysicalStream startStreaming(String slot, long timeline, Lsn start, WalSettings settings, Clock clock) throws SQLException {
        String command = "START_REPLICATION SLOT " + slot + " PHYSICAL " + start + " TIMELINE " + timeline;
        CopyDual copy = connection.unwrap(PGConnection.class).getCopyAPI().copyDual(command);
        if (copy == null) {
            throw new SQLException("the server did not start a replication stream for: " + command);
        }
        return new PhysicalStream(copy, start, settings.statusInterval(), clock);
    }

    /**
     * Cuts the connection from any thread, even while another thread is using it: the socket is
     * closed under the stream, which then fails. Used to stop a stream that does not stop by itself.
     */
    void abort() {
        try {
            connection.abort(Runnable::run);
        } catch (SQLException | RuntimeException e) {
            // already closed or broken: nothing is left to cut
        }
    }

    /** Closes the connection (and any stream on it) at once, without ending the stream gracefully. */
    @Override
    public void close() {
        try {
            connection.close();
        } catch (SQLException e) {
            // closing a broken connection may fail; nothing is left to release
        }
    }

    /** The server's identity: system id (changes only with a new initdb), current timeline and WAL position. */
    record SystemIdentity(String systemId, long timeline, Lsn xlogPosition) {
    }

    /** A replication slot as {@code READ_REPLICATION_SLOT} reports it. */
    record SlotState(String name, String type, Optional<Lsn> restartLsn, Optional<Long> restartTimeline) {
        boolean isPhysical() {
            return "physical".equals(type);
        }

        /** A slot without a restart LSN was invalidated ({@code max_slot_wal_keep_size}): it keeps nothing. */
        boolean isInvalidated() {
            return restartLsn.isEmpty();
        }
    }
}
