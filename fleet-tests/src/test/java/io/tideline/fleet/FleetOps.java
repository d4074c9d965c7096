package io.tideline.fleet;

import io.tideline.core.ids.InstanceId;
import io.tideline.core.kafka.Topics;
import io.tideline.core.registry.RegisteredInstance;
import io.tideline.core.secrets.SecretRef;
import io.tideline.core.wal.Lsn;
import io.tideline.fleet.hosts.ServiceHost;
import io.tideline.schemas.BackupCommand;
import io.tideline.schemas.BackupCompleted;
import io.tideline.schemas.BackupReason;
import io.tideline.schemas.RestoreCompleted;
import io.tideline.schemas.RestoreFailed;
import io.tideline.schemas.RestoreRejected;
import io.tideline.schemas.RestoreRequested;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.avro.specific.SpecificRecord;

/** The steps the fleet tests are written in: a script of named operations on a {@link NetFleet}. */
final class FleetOps {

    private static final Pattern STREAMING = Pattern.compile(
            "^tideline_archiver_wal_streaming\\{[^}]*instance=\"([^\"]+)\"[^}]*\\}\\s+([0-9.eE+-]+)", Pattern.MULTILINE);
    private static final Pattern LAG_SECONDS = Pattern.compile(
            "^tideline_archiver_wal_lag_seconds\\{[^}]*instance=\"([^\"]+)\"[^}]*\\}\\s+([0-9.eE+-]+)", Pattern.MULTILINE);
    private static final Pattern WINDOW_END = Pattern.compile(
            "^tideline_instance_window_end_timestamp\\w*\\{[^}]*instance=\"([^\"]+)\"[^}]*\\}\\s+([0-9.eE+-]+)", Pattern.MULTILINE);

    private final NetFleet fleet;
    private final EventWatch events;

    FleetOps(NetFleet fleet, EventWatch events) {
        this.fleet = fleet;
        this.events = events;
    }

    /** A table of the tenant, written by the server's superuser, owned by the tenant's role (a restore hands that one out). */
    void createTable(RegisteredInstance pg) throws SQLException {
        try (Connection c = connect(pg); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE orders (id bigserial PRIMARY KEY, note text, at timestamptz NOT NULL DEFAULT clock_timestamp())");
            st.execute("ALTER TABLE orders OWNER TO tideline_owner");
        }
    }

    Connection connect(RegisteredInstance pg) throws SQLException {
        return fleet.dbHostOf(pg).connect(server(pg));
    }

    /** Inserts {@code rows} rows in one transaction; returns the highest id committed. */
    long insert(RegisteredInstance pg, int rows, String note) throws SQLException {
        try (Connection c = connect(pg); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("WITH w AS (INSERT INTO orders (note) SELECT '" + note + "' FROM generate_series(1, " + rows
                     + ") RETURNING id) SELECT max(id) FROM w")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    Lsn currentLsn(RegisteredInstance pg) throws SQLException {
        try (Connection c = connect(pg); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT pg_current_wal_lsn()::text")) {
            rs.next();
            return Lsn.parse(rs.getString(1));
        }
    }

    /** Where the archiver's slot began: the oldest WAL the archive must hold from. */
    Lsn slotStart(RegisteredInstance pg) throws SQLException {
        try (Connection c = connect(pg); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT min(restart_lsn)::text FROM pg_replication_slots")) {
            rs.next();
            return Lsn.parse(rs.getString(1));
        }
    }

    /** An on-demand base backup, waited for until it completed. */
    BackupCompleted backup(RegisteredInstance pg, Duration timeout) {
        String command = "fleet-" + UUID.randomUUID();
        fleet.publisher().publishAndWait(Topics.BACKUP_COMMANDS, pg.id().value(), BackupCommand.newBuilder()
                .setEventId(UUID.randomUUID()).setInstanceId(pg.id().value()).setOccurredAt(Instant.now())
                .setCommandId(command).setReason(BackupReason.ON_DEMAND).setRequestedBy("fleet-test")
                .setRequestedAt(Instant.now()).build());
        return events.await(BackupCompleted.class, b -> b.getCommandId().equals(command), timeout);
    }

    String requestRestore(RegisteredInstance pg, String target) {
        String restoreId = UUID.randomUUID().toString();
        fleet.publisher().publishAndWait(Topics.RESTORE_REQUESTS, pg.id().value(), RestoreRequested.newBuilder()
                .setEventId(UUID.randomUUID()).setInstanceId(pg.id().value()).setOccurredAt(Instant.now())
                .setRestoreId(restoreId).setTarget(target).setNewName(null).setRequestedBy("fleet-test").build());
        return restoreId;
    }

    /** How the restore ended: completed, failed or rejected. */
    SpecificRecord awaitRestoreEnd(String restoreId, Duration timeout) {
        return events.awaitAny(v -> (v instanceof RestoreCompleted || v instanceof RestoreFailed || v instanceof RestoreRejected)
                && restoreId.equals(String.valueOf(v.get(v.getSchema().getField("restoreId").pos()))), timeout);
    }

    /**
     * A query on a restored instance, over the fleet's network as its user would ask it: with the connection details
     * {@code RestoreCompleted} hands out (the agent made it on its database host, listening on that host's address).
     */
    String queryRestored(RestoreCompleted done, String sql) throws SQLException {
        try (Connection c = connectRestored(done); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** A connection to a restored instance as its user (the tenant's role, its password by the reference handed out). */
    Connection connectRestored(RestoreCompleted done) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", done.getUser());
        props.setProperty("password", fleet.secrets().get(SecretRef.of(done.getSecretRef())));
        props.setProperty("connectTimeout", "10");
        props.setProperty("socketTimeout", "60");
        return DriverManager.getConnection("jdbc:postgresql://" + done.getHost() + ":" + done.getPort() + "/" + done.getDatabase(), props);
    }

    /** The server's own clock, now (a restore target read where the commits are timed). */
    Instant serverNow(RegisteredInstance pg) throws SQLException {
        try (Connection c = connect(pg); Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT clock_timestamp()")) {
            rs.next();
            return rs.getTimestamp(1).toInstant();
        }
    }

    /** What says a server is still the same one, untouched: its identity, slots, databases and roles. */
    record ServerFacts(long systemIdentifier, List<String> slots, List<String> databases, List<String> roles) {
    }

    ServerFacts facts(RegisteredInstance pg) throws SQLException {
        try (Connection c = connect(pg)) {
            return new ServerFacts(Long.parseLong(one(c, "SELECT system_identifier::text FROM pg_control_system()")),
                    list(c, "SELECT slot_name FROM pg_replication_slots ORDER BY 1"),
                    list(c, "SELECT datname FROM pg_database ORDER BY 1"),
                    list(c, "SELECT rolname FROM pg_roles ORDER BY 1"));
        }
    }

    /** Rows of {@code orders} by note, as {@code note=count} in the note's order. */
    static java.util.Map<String, Long> countsByNote(Connection c) throws SQLException {
        java.util.Map<String, Long> counts = new java.util.TreeMap<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT note, count(*) FROM orders GROUP BY note")) {
            while (rs.next()) {
                counts.put(rs.getString(1), rs.getLong(2));
            }
        }
        return counts;
    }

    private static String one(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static List<String> list(Connection c, String sql) throws SQLException {
        List<String> values = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                values.add(rs.getString(1));
            }
        }
        return values;
    }

    /** The instances whose WAL the archiver on {@code host} streams now (empty when the host does not answer). */
    Set<String> streamedBy(ServiceHost host) {
        Set<String> instances = new HashSet<>();
        host.metrics().ifPresent(text -> {
            Matcher m = STREAMING.matcher(text);
            while (m.find()) {
                if (Double.parseDouble(m.group(2)) >= 1) {
                    instances.add(m.group(1));
                }
            }
        });
        return instances;
    }

    /** The archive lag in seconds the host's archiver reports for {@code id}, if it streams it. */
    Optional<Double> lagSeconds(ServiceHost host, InstanceId id) {
        return host.metrics().flatMap(text -> {
            Matcher m = LAG_SECONDS.matcher(text);
            while (m.find()) {
                if (m.group(1).equals(id.value())) {
                    return Optional.of(Double.parseDouble(m.group(2)));
                }
            }
            return Optional.empty();
        });
    }

    /** The server of a registered instance, as its database host made it. */
    io.tideline.core.instance.ProvisionedInstance server(RegisteredInstance pg) {
        return new io.tideline.core.instance.ProvisionedInstance(pg.id(), pg.host(), pg.port(), pg.database(),
                io.tideline.core.instance.InstanceCredentials.standard(pg.id()), java.nio.file.Path.of("/"), "15");
    }

    /** The newest end of {@code id}'s restorable window any service host reports (retention's gauge). */
    Optional<Instant> windowEnd(InstanceId id) {
        Optional<Instant> newest = Optional.empty();
        for (ServiceHost host : fleet.services()) {
            Optional<String> text = host.metrics();
            if (text.isEmpty()) {
                continue;
            }
            Matcher m = WINDOW_END.matcher(text.get());
            while (m.find()) {
                if (m.group(1).equals(id.value())) {
                    double seconds = Double.parseDouble(m.group(2));
                    if (seconds > 0) {
                        Instant end = Instant.ofEpochMilli((long) (seconds * 1000));
                        newest = newest.isEmpty() || end.isAfter(newest.get()) ? Optional.of(end) : newest;
                    }
                }
            }
        }
        return newest;
    }
}
