package io.tideline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tideline.runtime.RuntimeInfo;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A backup system's failure is never the database's outage: {@code kill -9} of the runtime JVM (the
 * services, with Kafka and the S3 server following it) leaves the instance serving writes, and the
 * next {@code up} adopts the running postmaster and resumes archiving from the slot; {@code down
 * --keep-instances} leaves it serving, {@code down} stops it.
 */
class CliInstancesOutliveRuntimeIT {

    private static final int WRITES_WHILE_DOWN = 20;

    private static CliHome home;

    @BeforeAll
    static void createHome() throws Exception {
        home = CliHome.create("tideline-cli-survive-it-");
    }

    @AfterAll
    static void stopEverything() throws Exception {
        if (home != null) {
            home.close();
        }
    }

    @Test
    void aKilledRuntimeLeavesTheInstanceServingAndUpAdoptsIt() throws Exception {
        home.up();
        home.run("instance", "create", "survivor").assertOk();
        JsonNode survivor = home.instance("survivor");
        String startedAt;
        try (Connection c = home.connect(survivor); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE writes (n int PRIMARY KEY, at timestamptz NOT NULL DEFAULT now())");
            startedAt = single(s, "SELECT pg_postmaster_start_time()::text");
        }

        RuntimeInfo first = RuntimeInfo.running(home.runtimeHome()).orElseThrow();
        ProcessHandle runtime = ProcessHandle.of(first.pid()).orElseThrow();
        List<ProcessHandle> servers = runtime.descendants().filter(p -> p.info().commandLine()
                .map(c -> c.contains("kafka.Kafka") || c.contains("S3ServerMain")).orElse(false)).toList();
        // (each with the watchdog that started it, whose command line names it too)
        assertTrue(servers.stream().anyMatch(p -> p.info().commandLine().orElse("").contains("kafka.Kafka"))
                && servers.stream().anyMatch(p -> p.info().commandLine().orElse("").contains("S3ServerMain")), servers.toString());
        runtime.destroyForcibly();
        runtime.onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);
        // Kafka and the S3 server follow it (their watchdog stops them, SIGKILL after a grace of 10 s); the next up
        // binds the same ports and opens the same data directories, so it starts only once they are gone.
        for (ProcessHandle server : servers) {
            server.onExit().get(60, java.util.concurrent.TimeUnit.SECONDS);
        }

        // A writer as an application runs one: a new connection per write, one write every 200 ms.
        List<String> refused = new ArrayList<>();
        for (int n = 1; n <= WRITES_WHILE_DOWN; n++) {
            try (Connection c = home.connect(survivor); Statement s = c.createStatement()) {
                s.executeUpdate("INSERT INTO writes (n) VALUES (" + n + ")");
            } catch (SQLException e) {
                refused.add(n + ": " + e.getMessage());
            }
            Thread.sleep(200);
        }
        assertEquals(List.of(), refused, "no write is refused while the services are down");

        Cli.Result status = home.run("status");
        assertEquals(ExitCodes.NOT_RUNNING, status.exitCode(), status.out());
        assertTrue(status.out().contains("1 instance still runs and serves without the services"), status.out());
        assertEquals("running", home.instanceState("survivor"), "status shows the instance still serving");
        String lsnAfterOutage;
        try (Connection c = home.connect(survivor); Statement s = c.createStatement()) {
            lsnAfterOutage = single(s, "SELECT pg_current_wal_lsn()::text");
            // Completes the segment that holds the outage's writes, so storing it is the proof they are archived.
            s.execute("SELECT pg_switch_wal()");
        }

        home.up();
        try (Connection c = home.connect(home.instance("survivor")); Statement s = c.createStatement()) {
            assertEquals(startedAt, single(s, "SELECT pg_postmaster_start_time()::text"),
                    "up adopted the running postmaster instead of starting another");
            assertEquals(String.valueOf(WRITES_WHILE_DOWN), single(s, "SELECT count(*) FROM writes"));
        }
        Awaitility.await("the archiver streams again from the slot past the outage's writes")
                .atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
                .until(() -> {
                    try (Connection c = home.connect(survivor); Statement s = c.createStatement()) {
                        return "true".equals(single(s, "SELECT coalesce(bool_or(active AND restart_lsn >= '"
                                + lsnAfterOutage + "'::pg_lsn), false)::text FROM pg_replication_slots"));
                    }
                });

        Cli.Result kept = home.run("down", "--keep-instances").assertOk();
        assertTrue(kept.out().contains("Instances kept running: survivor"), kept.out());
        assertEquals("running", home.instanceState("survivor"), "down --keep-instances leaves the instance serving");
        Cli.Result down = home.run("down").assertOk();
        assertTrue(down.out().contains("is not running") && down.out().contains("Instances stopped: survivor"), down.out());
        assertEquals("stopped", home.instanceState("survivor"), "down stops the instances a runtime left running");
    }

    private static String single(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
