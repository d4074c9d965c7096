package io.tideline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tideline.core.secrets.SecretRef;
import io.tideline.platform.local.secrets.DirectorySecretStore;
import io.tideline.runtime.DetachedRuntime;
import io.tideline.runtime.RuntimeHome;
import io.tideline.runtime.RuntimeInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code up} / {@code down} / {@code up} as a user runs them: the runtime in a detached JVM, state in
 * one home, nothing lost across the restart, and a clear error from client commands while it is down.
 */
class CliUpDownIT {

    private static Path home;
    private static final Cli CLI = new Cli(Map.of());
    private static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void createHome() throws Exception {
        home = Files.createTempDirectory("tideline-cli-it-");
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @AfterAll
    static void stopEverything() throws Exception {
        DetachedRuntime.stop(new RuntimeHome(home));
        if (!Boolean.getBoolean("tideline.test.keepHome")) {
            try (var paths = Files.walk(home)) {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void upDownUpKeepsInstancesAndClientsSayWhenNothingRuns() throws Exception {
        Cli.Result notRunning = CLI.run(home, "status");
        assertEquals(ExitCodes.NOT_RUNNING, notRunning.exitCode());
        assertTrue(notRunning.out().contains("is not running"), notRunning.out());
        CLI.run(home, "instance", "list")
                .assertOneLineError(ExitCodes.NOT_RUNNING, "the runtime is not running (start it with ./tideline up)");

        up();
        Cli.Result status = CLI.run(home, "status").assertOk();
        assertTrue(status.out().contains("ok (health UP)"), status.out());
        RuntimeInfo first = RuntimeInfo.running(new RuntimeHome(home)).orElseThrow();

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

        CLI.run(home, "down").assertOk();
    }

    private static void up() {
        Cli.Result up = CLI.run(home, "up", "--wal-flush-interval", "5s",
                "--exit-with-pid", Long.toString(ProcessHandle.current().pid()));
        up.assertOk();
        assertTrue(up.out().contains("The runtime is up"), up.out());
    }

    private static JsonNode instance(String name) throws Exception {
        Cli.Result list = CLI.run(home, "instance", "list", "--json").assertOk();
        for (JsonNode node : JSON.readTree(list.out())) {
            if (node.get("name").asText().equals(name)) {
                return node;
            }
        }
        throw new AssertionError("instance " + name + " not listed: " + list.out());
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
        Cli.Result status = CLI.run(home, "status", "--json");
        for (JsonNode node : JSON.readTree(status.out()).get("instances")) {
            if (node.get("id").asText().equals(id)) {
                return node.get("state").asText();
            }
        }
        throw new AssertionError("instance " + id + " not in status: " + status.out());
    }

    private static int query(JsonNode instance, String sql) throws Exception {
        Properties props = new Properties();
        props.setProperty("user", instance.get("user").asText());
        props.setProperty("password", new DirectorySecretStore(home.resolve("secrets"))
                .get(SecretRef.of(instance.get("secretRef").asText())));
        String url = "jdbc:postgresql://" + instance.get("host").asText() + ":" + instance.get("port").asInt() + "/"
                + instance.get("database").asText();
        try (Connection c = DriverManager.getConnection(url, props); ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
