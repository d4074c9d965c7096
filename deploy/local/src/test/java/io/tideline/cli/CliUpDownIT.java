package io.tideline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tideline.runtime.RuntimeHome;
import io.tideline.runtime.RuntimeInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code up} / {@code down} / {@code up} as a user runs them: the runtime in a detached JVM, state in
 * one home, nothing lost across the restart, and a clear error from client commands while it is down.
 * Then, on the same home (one runtime start fewer for the suite's time, formerly CliInstancesOutliveRuntimeIT):
 * a backup system's failure is never the database's outage: {@code kill -9} of the runtime JVM (the
 * services, with Kafka and the S3 server following it) leaves the instance serving writes, and the
 * next {@code up} adopts the running postmaster and resumes archiving from the slot; {@code down
 * --keep-instances} leaves it serving, {@code down} stops it.
 */
class CliUpDownIT {

    private static final int WRITES_WHILE_DOWN = 20;

    private static CliHome fixture;
    private static Path home;
    private static final Cli CLI = CliHome.CLI;
    private static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void createHome() throws Exception {
        fixture = CliHome.create("tideline-cli-it-");
        home = fixture.root();
    }

    @AfterAll
    static void stopEverything() throws Exception {
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void upDownUpKeepsInstancesAndClientsSayWhenNothingRuns() throws Exception {
        Cli.Result notRunning = CLI.run(home, "status");
        assertEquals(ExitCodes.NOT_RUNNING, notRunning.exitCode());
        assertTrue(notRunning.out().contains("is not running"), notRunning.out());
        CLI.run(home, "instance", "list")
                .assertOneLineError(ExitCodes.NOT_RUNNING, "the runtime is not running (start it with ./tideline up)");

        String upOut = up();
        Cli.Result status = CLI.run(home, "status").assertOk();
        assertTrue(status.out().contains("ok (health UP)"), status.out());
        RuntimeInfo first = RuntimeInfo.running(new RuntimeHome(home)).orElseThrow();
        // Issue 16: status and up say where the Backups view is (and the view answers there).
        String view = first.api().resolve("/backups").toString();
        assertTrue(status.out().contains("Backups view: " + view), status.out());
        // Issue 14.2: the view answers there, with its sign-in form to a browser that has no session ...
        java.net.http.HttpResponse<Void> page = Https.client(home).send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(view)).header("Accept", "text/html").build(), java.net.http.HttpResponse.BodyHandlers.discarding());
        assertEquals(303, page.statusCode());
        assertTrue(page.headers().firstValue("Location").orElse("").startsWith("/login?next="), page.headers().toString());
        // ... and up made the first admin: its password in a 0600 file of the home, which up names (not the password).
        java.nio.file.Path adminPassword = new RuntimeHome(home).adminPasswordFile();
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(adminPassword)));
        assertTrue(upOut.contains("password in " + adminPassword), upOut);
        assertFalse(upOut.contains(Files.readAllLines(adminPassword).get(0)), "up never prints the password");
        // Issue 14.1: HTTPS only for the API and view, S3 over HTTPS; status shows each certificate's expiry.
        assertEquals("https", first.api().getScheme());
        assertEquals("https", first.s3Endpoint().getScheme());
        java.net.URI plain = java.net.URI.create("http://127.0.0.1:" + first.api().getPort() + "/health");
        org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class, () -> java.net.http.HttpClient.newHttpClient()
                .send(java.net.http.HttpRequest.newBuilder(plain).timeout(Duration.ofSeconds(20)).build(),
                        java.net.http.HttpResponse.BodyHandlers.discarding()), "no plain HTTP beside HTTPS");
        assertTrue(status.out().contains("CERTIFICATE") && status.out().contains("https-runtime") && !status.out().contains("warning:"),
                status.out());
        JsonNode certificates = JSON.readTree(CLI.run(home, "status", "--json").assertOk().out()).get("certificates");
        List<String> names = new ArrayList<>();
        for (JsonNode c : certificates) {
            names.add(c.get("name").asText());
            assertTrue(c.get("expires").asText().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ"), c.toString());
            assertEquals("ok", c.get("state").asText(), c.toString());
        }
        assertTrue(names.containsAll(List.of("ca", "https-runtime", "s3")), names.toString());
        // Issue 16: an option given to up while it runs was silently ignored; now refused, saying why.
        CLI.run(home, "up", "--wal-flush-interval", "10s").assertOneLineError(ExitCodes.REFUSED,
                "--wal-flush-interval not applied (options take effect at start");
        Cli.Result again = CLI.run(home, "up").assertOk();
        assertTrue(again.out().contains("already runs") && again.out().contains("Backups view: " + view), "without options: the status, exit 0");

        Cli.Result created = CLI.run(home, "instance", "create", "keepme").assertOk();
        assertTrue(created.out().contains("first backup requested (daily:keepme:"), created.out());
        assertEquals(1, query(instance("keepme"), "SELECT 1"));
        // The first backup (today's daily) becomes restorable once its WAL is stored too.
        Awaitility.await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(2))
                .until(() -> restorableBackups("keepme").size() == 1);
        List<String> backupsBefore = restorableBackups("keepme");
        CLI.run(home, "instance", "create", "keepme").assertOneLineError(ExitCodes.FAILURE, "already exists");

        Cli.Result down = CLI.run(home, "down").assertOk();
        assertTrue(down.out().contains("stopped"), down.out());
        assertFalse(ProcessHandle.of(first.pid()).map(ProcessHandle::isAlive).orElse(false), "the runtime JVM is gone");
        assertFalse(Files.exists(new RuntimeHome(home).runtimeFile()), "runtime.json is removed at a clean stop");
        assertEquals("stopped", instanceState("keepme"), "down stops the managed instances too");
        CLI.run(home, "instance", "list").assertOneLineError(ExitCodes.NOT_RUNNING, "not running");
        assertTrue(CLI.run(home, "down").assertOk().out().contains("not running"));

        up();
        RuntimeInfo second = RuntimeInfo.running(new RuntimeHome(home)).orElseThrow();
        assertEquals(first.kafkaBootstrapServers(), second.kafkaBootstrapServers(), "ports are kept across down/up");
        assertEquals(first.s3Endpoint(), second.s3Endpoint());
        assertEquals(first.api(), second.api());
        JsonNode keepme = instance("keepme");
        assertEquals("keepme", keepme.get("name").asText(), "the registration survived (Kafka's log is in the home)");
        assertEquals(1, query(keepme, "SELECT 1"), "the instance was started again with the runtime");
        assertEquals(backupsBefore, restorableBackups("keepme"), "the backup is still listed and restorable (bucket and log kept)");

        aKilledRuntimeLeavesTheInstanceServingAndUpAdoptsIt(second, keepme);
    }

    /** With the runtime {@code running} and its instance {@code survivor}: kill -9, writes meanwhile, up adopts, down. */
    private static void aKilledRuntimeLeavesTheInstanceServingAndUpAdoptsIt(RuntimeInfo running, JsonNode survivor) throws Exception {
        String startedAt;
        try (Connection c = fixture.connect(survivor); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE writes (n int PRIMARY KEY, at timestamptz NOT NULL DEFAULT now())");
            startedAt = single(s, "SELECT pg_postmaster_start_time()::text");
        }

        ProcessHandle runtime = ProcessHandle.of(running.pid()).orElseThrow();
        List<ProcessHandle> servers = runtime.descendants()
                .filter(p -> commandLine(p).contains("kafka.Kafka") || commandLine(p).contains("S3ServerMain")).toList();
        // (each with the watchdog that started it, whose command line names it too)
        assertTrue(servers.stream().anyMatch(p -> commandLine(p).contains("kafka.Kafka"))
                && servers.stream().anyMatch(p -> commandLine(p).contains("S3ServerMain")), servers.toString());
        runtime.destroyForcibly();
        runtime.onExit().get(30, TimeUnit.SECONDS);
        // Kafka and the S3 server follow it (their watchdog stops them, SIGKILL after a grace of 10 s); the next up
        // binds the same ports and opens the same data directories, so it starts only once they are gone.
        for (ProcessHandle server : servers) {
            server.onExit().get(60, TimeUnit.SECONDS);
        }

        // A writer as an application runs one: a new connection per write, one write every 200 ms.
        List<String> refused = new ArrayList<>();
        for (int n = 1; n <= WRITES_WHILE_DOWN; n++) {
            try (Connection c = fixture.connect(survivor); Statement s = c.createStatement()) {
                s.executeUpdate("INSERT INTO writes (n) VALUES (" + n + ")");
            } catch (SQLException e) {
                refused.add(n + ": " + e.getMessage());
            }
            Thread.sleep(200);
        }
        assertEquals(List.of(), refused, "no write is refused while the services are down");

        Cli.Result status = CLI.run(home, "status");
        assertEquals(ExitCodes.NOT_RUNNING, status.exitCode(), status.out());
        assertTrue(status.out().contains("1 instance still runs and serves without the services"), status.out());
        assertEquals("running", instanceState("keepme"), "status shows the instance still serving");
        String lsnAfterOutage;
        try (Connection c = fixture.connect(survivor); Statement s = c.createStatement()) {
            lsnAfterOutage = single(s, "SELECT pg_current_wal_lsn()::text");
            // Completes the segment that holds the outage's writes, so storing it is the proof they are archived.
            s.execute("SELECT pg_switch_wal()");
        }

        up();
        try (Connection c = fixture.connect(instance("keepme")); Statement s = c.createStatement()) {
            assertEquals(startedAt, single(s, "SELECT pg_postmaster_start_time()::text"),
                    "up adopted the running postmaster instead of starting another");
            assertEquals(String.valueOf(WRITES_WHILE_DOWN), single(s, "SELECT count(*) FROM writes"));
        }
        Awaitility.await("the archiver streams again from the slot past the outage's writes")
                .atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1))
                .until(() -> {
                    try (Connection c = fixture.connect(survivor); Statement s = c.createStatement()) {
                        return "true".equals(single(s, "SELECT coalesce(bool_or(active AND restart_lsn >= '"
                                + lsnAfterOutage + "'::pg_lsn), false)::text FROM pg_replication_slots"));
                    }
                });

        Cli.Result kept = CLI.run(home, "down", "--keep-instances").assertOk();
        assertTrue(kept.out().contains("Instances kept running: keepme"), kept.out());
        assertEquals("running", instanceState("keepme"), "down --keep-instances leaves the instance serving");
        Cli.Result down = CLI.run(home, "down").assertOk();
        assertTrue(down.out().contains("is not running") && down.out().contains("Instances stopped: keepme"), down.out());
        assertEquals("stopped", instanceState("keepme"), "down stops the instances a runtime left running");
    }

    /**
     * The whole command line, read from /proc: {@code ProcessHandle.Info.commandLine()} stops at a page (4 KiB), and the
     * servers' class paths are longer, so their main class is cut off there.
     */
    private static String commandLine(ProcessHandle process) {
        try {
            return new String(java.nio.file.Files.readAllBytes(Path.of("/proc", Long.toString(process.pid()), "cmdline")),
                    java.nio.charset.StandardCharsets.UTF_8).replace('\0', ' ');
        } catch (java.io.IOException | RuntimeException gone) {
            return "";
        }
    }

    private static String single(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static String up() {
        return fixture.up().out();
    }

    private static JsonNode instance(String name) throws Exception {
        return fixture.instance(name);
    }

    private static List<String> restorableBackups(String name) throws Exception {
        JsonNode view = JSON.readTree(CLI.run(home, "backups", name, "--json").assertOk().out());
        List<String> ids = new ArrayList<>();
        for (JsonNode b : view.get("backups")) {
            if (b.get("status").asText().equals("restorable")) {
                ids.add(b.get("backupId").asText());
            }
        }
        return ids;
    }

    private static String instanceState(String id) throws Exception {
        return fixture.instanceState(id);
    }

    private static int query(JsonNode instance, String sql) throws Exception {
        try (Connection c = fixture.connect(instance); ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
