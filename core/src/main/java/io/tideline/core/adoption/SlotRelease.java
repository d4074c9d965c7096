package io.tideline.core.adoption;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;
import org.postgresql.PGProperty;

/**
 * Drops Tideline's replication slot from a server it lets go. Right after the unregistration the archiver
 * may still stream from the slot for a moment (an active slot cannot be dropped), so the drop is retried
 * until {@code wait} has passed — bounded, never forever; what is left is said, with the SQL to finish it.
 */
public final class SlotRelease {

    private static final Duration RETRY = Duration.ofMillis(250);

    private final String slotName;
    private final Duration wait;

    public SlotRelease(String slotName, Duration wait) {
        this.slotName = slotName;
        this.wait = wait;
    }

    /** What became of the slot. */
    public record Result(State state, String detail) {
        public enum State { DROPPED, ABSENT, LEFT }

        @Override
        public String toString() {
            return state.name().toLowerCase(java.util.Locale.ROOT) + (detail.isEmpty() ? "" : " (" + detail + ")");
        }
    }

    public Result drop(ExistingServer server, ServerProbe probe) {
        long deadline = System.nanoTime() + wait.toNanos();
        String last = "";
        do {
            Properties props = new Properties();
            PGProperty.USER.set(props, server.adminUser());
            PGProperty.PASSWORD.set(props, server.adminPassword());
            PGProperty.CONNECT_TIMEOUT.set(props, (int) Math.max(1, probe.connectTimeout().toSeconds()));
            PGProperty.APPLICATION_NAME.set(props, "tideline-release");
            server.tls().applyTo(props);
            try (Connection c = DriverManager.getConnection(server.jdbcUrl(), props);
                 PreparedStatement ps = c.prepareStatement(
                         "SELECT active FROM pg_replication_slots WHERE slot_name = ?")) {
                ps.setString(1, slotName);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return new Result(Result.State.ABSENT, "");
                    }
                    if (!rs.getBoolean(1)) {
                        try (PreparedStatement drop = c.prepareStatement("SELECT pg_drop_replication_slot(?)")) {
                            drop.setString(1, slotName);
                            drop.execute();
                            return new Result(Result.State.DROPPED, slotName);
                        }
                    }
                    last = "slot " + slotName + " is still streamed";
                }
            } catch (SQLException e) {
                last = e.getMessage();
            }
        } while (sleep() && System.nanoTime() < deadline);
        return new Result(Result.State.LEFT, last + "; drop it with SELECT pg_drop_replication_slot('" + slotName + "')");
    }

    /** False when interrupted: then the slot is left, and said so. */
    private static boolean sleep() {
        try {
            Thread.sleep(RETRY.toMillis());
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
