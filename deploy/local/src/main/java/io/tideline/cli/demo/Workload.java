package io.tideline.cli.demo;

import io.tideline.core.postgres.PostgresTls;
import io.tideline.core.wal.Lsn;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.Properties;

/**
 * The demo's application: an {@code orders} table written over JDBC, and the questions the demo asks
 * of an instance (how many rows, a checksum of all of them, where the WAL is, what time the server says).
 */
final class Workload {

    /** What the table holds at a moment: enough to tell two copies apart. */
    record Snapshot(long rows, String md5) {
        @Override
        public String toString() {
            return rows + " rows, md5 " + md5.substring(0, 12);
        }
    }

    private final String url;
    private final Properties credentials;

    Workload(String host, int port, String database, String user, String password, PostgresTls tls) {
        this.url = "jdbc:postgresql://" + host + ":" + port + "/" + database;
        this.credentials = new Properties();
        credentials.setProperty("user", user);
        credentials.setProperty("password", password);
        credentials.setProperty("connectTimeout", "10");
        credentials.setProperty("loginTimeout", "10");
        // Bounded so a database that stops answering ends the demo with a reason; its largest statement takes seconds.
        credentials.setProperty("socketTimeout", "120");
        credentials.setProperty("ApplicationName", "tideline-demo");
        tls.applyTo(credentials);
    }

    String endpoint() {
        return url;
    }

    void createSchema() throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE orders (id bigserial PRIMARY KEY, customer text NOT NULL, amount numeric(10,2) NOT NULL, "
                    + "note text NOT NULL, created_at timestamptz NOT NULL DEFAULT clock_timestamp())");
        }
    }

    /** Inserts {@code rows} orders in one transaction; returns the commit's time as the server saw it. */
    Instant insert(int rows, int batchNumber) throws SQLException {
        try (Connection c = connect()) {
            c.setAutoCommit(false);
            try (PreparedStatement insert = c.prepareStatement(
                    "INSERT INTO orders (customer, amount, note) VALUES (?, ?, ?)")) {
                for (int i = 0; i < rows; i++) {
                    int n = batchNumber * 1_000_003 + i;
                    insert.setString(1, "customer-" + (n % 997));
                    insert.setBigDecimal(2, java.math.BigDecimal.valueOf((n * 7919L) % 50_000, 2));
                    // Some bulk per row, so the instance writes real WAL (several segments per demo).
                    insert.setString(3, "order " + n + " " + "x".repeat(120 + n % 80));
                    insert.addBatch();
                    if (i % 1000 == 999) {
                        insert.executeBatch();
                    }
                }
                insert.executeBatch();
            }
            c.commit();
            return serverTime(c);
        }
    }

    /** The accidental statement: deletes the big orders of every customer instead of one. */
    long deleteBigOrders() throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            return s.executeUpdate("DELETE FROM orders WHERE amount > 250.00");
        }
    }

    Snapshot snapshot() throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*), coalesce(md5(string_agg(id || ':' || customer || ':' || amount "
                     + "|| ':' || note || ':' || created_at, ',' ORDER BY id)), '') FROM orders")) {
            rs.next();
            return new Snapshot(rs.getLong(1), rs.getString(2));
        }
    }

    /** Where the server's WAL insert position is now. */
    Lsn currentLsn() throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT pg_current_wal_insert_lsn()::text")) {
            rs.next();
            return Lsn.parse(rs.getString(1));
        }
    }

    /** The server's clock (same machine: the time recovery targets are compared with). */
    Instant serverTime() throws SQLException {
        try (Connection c = connect()) {
            return serverTime(c);
        }
    }

    /** True when the server answers a query and is not in recovery. */
    boolean answers() {
        try (Connection c = connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT NOT pg_is_in_recovery()")) {
            return rs.next() && rs.getBoolean(1);
        } catch (SQLException e) {
            return false;
        }
    }

    private static Instant serverTime(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT clock_timestamp()")) {
            rs.next();
            return rs.getObject(1, java.time.OffsetDateTime.class).toInstant();
        }
    }

    private Connection connect() throws SQLException {
        return DriverManager.getConnection(url, credentials);
    }
}
