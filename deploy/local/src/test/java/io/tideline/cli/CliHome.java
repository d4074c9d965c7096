package io.tideline.cli;

import io.tideline.core.postgres.PostgresTls;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tideline.core.ids.InstanceId;
import io.tideline.core.instance.InstanceCredentials;
import io.tideline.platform.local.postgres.LocalPostgresConfig;
import io.tideline.platform.local.postgres.LocalPostgresProvisioner;
import io.tideline.platform.local.secrets.DirectorySecretStore;
import io.tideline.processes.PostgresWatchdog;
import io.tideline.runtime.DetachedRuntime;
import io.tideline.runtime.HomeReset;
import io.tideline.runtime.RuntimeHome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Clock;
import java.util.Map;
import java.util.Properties;

/**
 * A temporary runtime home for the CLI ITs that run {@code up}/{@code down} as a user does. The
 * runtime lets its instances outlive it, so the test ties them to its own JVM with a
 * {@link PostgresWatchdog} (a killed test run leaves no PostgreSQL behind) and {@link #close} stops
 * them explicitly with {@code down}.
 */
final class CliHome implements AutoCloseable {

    static final Cli CLI = Cli.patient();
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path root;
    private final PostgresWatchdog watchdog;

    private CliHome(Path root, PostgresWatchdog watchdog) {
        this.root = root;
        this.watchdog = watchdog;
    }

    static CliHome create(String prefix) throws Exception {
        Path root = Files.createTempDirectory(prefix);
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
        LocalPostgresProvisioner provisioner = new LocalPostgresProvisioner(LocalPostgresConfig.defaults(root),
                new DirectorySecretStore(root.resolve("secrets")), Clock.systemUTC());
        PostgresWatchdog watchdog = PostgresWatchdog.start(provisioner.config().instancesDir(),
                provisioner.config().binDir().resolve("pg_ctl"), provisioner.serverUser(),
                root.resolve("logs").resolve("test-postgres-watchdog.log"));
        return new CliHome(root, watchdog);
    }

    Path root() {
        return root;
    }

    RuntimeHome runtimeHome() {
        return new RuntimeHome(root);
    }

    Cli.Result run(String... args) {
        return CLI.run(root, args);
    }

    /** {@code up} with a short WAL flush interval, tied to this test JVM. */
    Cli.Result up() {
        Cli.Result up = run("up", "--wal-flush-interval", "5s", "--exit-with-pid", Long.toString(ProcessHandle.current().pid()));
        up.assertOk();
        assertTrue(up.out().contains("The runtime is up"), up.out());
        return up;
    }

    JsonNode instance(String name) throws Exception {
        Cli.Result list = run("instance", "list", "--json").assertOk();
        for (JsonNode node : JSON.readTree(list.out())) {
            if (node.get("name").asText().equals(name)) {
                return node;
            }
        }
        throw new AssertionError("instance " + name + " not listed: " + list.out());
    }

    /** The state {@code status --json} gives the instance (it answers whether the runtime runs or not). */
    String instanceState(String id) throws Exception {
        Cli.Result status = run("status", "--json");
        for (JsonNode node : JSON.readTree(status.out()).get("instances")) {
            if (node.get("id").asText().equals(id)) {
                return node.get("state").asText();
            }
        }
        throw new AssertionError("instance " + id + " not in status: " + status.out());
    }

    /**
     * A new connection to the instance as Tideline's administrator (superuser, e.g. for
     * {@code pg_switch_wal()}); the CLI hands out only the tenant's role, so this reads the admin's
     * standard secret reference, as the operator of a local home can.
     */
    Connection connect(JsonNode instance) throws SQLException {
        InstanceCredentials admin = InstanceCredentials.standard(InstanceId.of(instance.get("id").asText()));
        Properties props = new Properties();
        props.setProperty("user", admin.adminUser());
        props.setProperty("password", new DirectorySecretStore(root.resolve("secrets")).get(admin.adminSecret()));
        props.setProperty("connectTimeout", "5");
        props.setProperty("socketTimeout", "10");
        String url = "jdbc:postgresql://" + instance.get("host").asText() + ":" + instance.get("port").asInt() + "/"
                + instance.get("database").asText();
        PostgresTls.forInstance(new DirectorySecretStore(root.resolve("secrets")), InstanceId.of(instance.get("id").asText()))
                .applyTo(props);
        return DriverManager.getConnection(url, props);
    }

    /** Stops the runtime and its instances ({@code down}), lets the watchdog go, removes the home. */
    @Override
    public void close() throws Exception {
        try {
            run("down");
            DetachedRuntime.stop(runtimeHome());
        } finally {
            try {
                if (!Boolean.getBoolean("tideline.test.keepHome")) {
                    // Its instances with their OS users (as root), then the files.
                    HomeReset.wipe(runtimeHome());
                }
            } finally {
                watchdog.close();
            }
        }
    }
}
