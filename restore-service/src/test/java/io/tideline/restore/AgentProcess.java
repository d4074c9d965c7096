package io.tideline.restore;

import io.tideline.core.secrets.SecretStore;
import io.tideline.core.storage.ObjectStoreSettings;
import io.tideline.platform.local.FleetConfiguration;
import io.tideline.platform.local.postgres.LocalPostgresConfig;
import io.tideline.platform.local.postgres.LocalPostgresProvisioner;
import io.tideline.testkit.Fleet;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A restore agent ({@code io.tideline.agent.AgentApplication}) in its own JVM, as on a database host of its own: its own
 * id, home (its servers and journal) and HTTP port; the fleet's Kafka, S3 endpoint and secret store, and NO storage
 * admin key (it reads sources with the read-only identity each restore brings). Can be frozen ({@code SIGSTOP}), killed
 * ({@code SIGKILL}) and started again with the same id and home.
 */
final class AgentProcess implements AutoCloseable {

    final String id;
    final String host;
    final Path home;
    private final Fleet fleet;
    private final Map<String, String> settings;
    private final Path log;
    private Process process;

    AgentProcess(Fleet fleet, String id, int capacity, Map<String, String> extra) {
        this.fleet = fleet;
        this.id = id;
        this.host = "db-" + id;
        this.home = fleet.postgres().home().resolveSibling("agent-" + id);
        this.log = Path.of("target", "agent-" + id + ".log").toAbsolutePath();
        Map<String, Object> fleetProps = fleet.serviceProperties();
        Map<String, String> p = new LinkedHashMap<>();
        p.put("kafka.bootstrap.servers", String.valueOf(fleetProps.get("kafka.bootstrap.servers")));
        for (String key : List.of(".endpoint", ".region", ".path-style")) {
            p.put(ObjectStoreSettings.PREFIX + key, String.valueOf(fleetProps.get(ObjectStoreSettings.PREFIX + key)));
        }
        p.put(FleetConfiguration.HOME, home.toString());
        p.put(FleetConfiguration.SECRETS_DIR, String.valueOf(fleetProps.get(FleetConfiguration.SECRETS_DIR)));
        p.put("micronaut.server.host", "127.0.0.1");
        p.put("micronaut.server.port", "-1");
        p.put("tideline.agent.id", id);
        p.put("tideline.agent.host", host);
        p.put("tideline.agent.capacity", Integer.toString(capacity));
        p.put("tideline.agent.announce-interval", "500ms");
        p.put("tideline.agent.progress-interval", "300ms");
        // this JVM's classpath also holds the restore service: it stays off in the agent's process
        p.put("tideline.restore.enabled", "false");
        p.putAll(extra);
        this.settings = p;
    }

    AgentProcess start() {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx256m");
        command.add("-XX:TieredStopAtLevel=1");
        // Settings as system properties: none is a secret (the agent holds no key; it reads keys by reference).
        settings.forEach((k, v) -> command.add("-D" + k + "=" + v));
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add("io.tideline.agent.AgentApplication");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        try {
            Files.createDirectories(home);
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    /** The agent's output (standard out and error), appended across restarts. */
    Path log() {
        return log;
    }

    long pid() {
        return process.pid();
    }

    boolean alive() {
        return process != null && process.isAlive();
    }

    /** {@code SIGSTOP}: the agent stops answering, as a hung host does. */
    void freeze() throws Exception {
        signal("STOP");
    }

    /** {@code SIGKILL}: no shutdown hook, no cleanup. */
    void kill() throws Exception {
        signal("KILL");
        process.waitFor(30, TimeUnit.SECONDS);
    }

    private void signal(String name) throws Exception {
        new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start().waitFor(10, TimeUnit.SECONDS);
    }

    /** The instance directories on this agent's host. */
    List<String> instanceDirs() {
        Path dir = home.resolve("instances");
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (var list = Files.list(dir)) {
            return list.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The provisioner of this agent's host, as the test sees it (to look at and remove what is there). */
    LocalPostgresProvisioner provisioner(SecretStore secrets) {
        return new LocalPostgresProvisioner(LocalPostgresConfig.defaults(home), secrets, Clock.systemUTC());
    }

    @Override
    public void close() throws Exception {
        if (alive()) {
            signal("CONT");
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        // Whatever is left on this host (a handed-over instance) goes with the test.
        LocalPostgresProvisioner provisioner = provisioner(fleet.postgres().secrets());
        provisioner.list().forEach(i -> {
            try {
                provisioner.destroy(i.id());
            } catch (RuntimeException e) {
                // best effort
            }
        });
    }
}
