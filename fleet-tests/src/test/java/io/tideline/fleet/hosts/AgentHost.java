package io.tideline.fleet.hosts;

import io.tideline.core.secrets.SecretStore;
import io.tideline.core.kafka.KafkaPrincipals;
import io.tideline.core.kafka.KafkaSecurityConfiguration;
import io.tideline.fleet.net.Host;
import io.tideline.platform.local.FleetConfiguration;
import io.tideline.platform.local.PostgresNetworkConfiguration;
import io.tideline.platform.local.PostgresTlsConfiguration;
import io.tideline.platform.local.postgres.LocalPostgresConfig;
import io.tideline.platform.local.postgres.LocalPostgresProvisioner;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The restore agent of a database host ({@code tideline agent}, {@code io.tideline.agent.AgentApplication}) in its own
 * JVM inside the host's namespace: its HTTP interface on the host's address ({@value #PORT}), its state (the servers
 * it makes for restores, its journal) under its own home, and the servers it makes listening on the host's address
 * for the fleet's subnet ({@code tideline.fleet.postgres-network.*}), so the restore services and the archivers on the
 * service hosts reach them. It gets the fleet's Kafka, S3 endpoint and secret store, and no storage key: each restore
 * brings a read-only identity on its source bucket by reference.
 */
public final class AgentHost implements AutoCloseable {

    public static final int PORT = 7070;
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    /** Where the services' classes come from: left off the agent's class path, so that it runs the agent only. */
    private static final List<String> SERVICE_CLASSES = List.of("io.tideline.scheduler.SchedulerApplication",
            "io.tideline.archiver.ArchiverConfig", "io.tideline.retention.RetentionConfiguration",
            "io.tideline.restore.RestoreConfiguration");

    private final Host host;
    private final String id;
    private final int capacity;
    private final Path home;
    private final SecretStore secrets;
    private final HostProcess process;
    private final HostHttp http;

    /**
     * @param shared   the fleet's settings the agent needs too (Kafka, topics, S3 endpoint, secret store); only those
     *                 it reads are passed (no storage admin key)
     * @param subnet   the fleet's subnet: whose clients may log in to the servers the agent makes
     * @param capacity restores this host takes at once (0: it serves production and takes none)
     */
    /** The agent id of database host {@code host}'s agent. */
    public static String idOf(Host host) {
        return "agent-" + host.name();
    }

    public AgentHost(Host host, Path dir, Path logs, Map<String, Object> shared, String subnet, int capacity, SecretStore secrets,
                     FleetTls tls) {
        this.host = host;
        this.secrets = secrets;
        this.id = idOf(host);
        this.capacity = capacity;
        this.home = dir.resolve("agent-home");
        this.http = new HostHttp(host, PORT, tls.client());
        Map<String, String> p = new LinkedHashMap<>();
        shared.forEach((k, v) -> {
            if (k.startsWith("kafka.") || k.startsWith("tideline.kafka.") || k.startsWith("tideline.storage.")
                    || k.equals(FleetConfiguration.SECRETS_DIR) || k.equals(PostgresTlsConfiguration.ENABLED)) {
                p.put(k, String.valueOf(v));
            }
        });
        // Kafka as its own principal agent-<id> (what `tideline agent --kafka-tls` sets); its grant is KafkaAcls.agent(id)
        p.put(KafkaSecurityConfiguration.PREFIX + ".principal", KafkaPrincipals.agent(id));
        p.put(FleetConfiguration.HOME, home.toString());
        p.put("micronaut.server.host", host.address());
        p.put("micronaut.server.port", Integer.toString(PORT));
        // HTTPS only (issue 14.1): the coordinator and this host's recovering servers (curl --cacert) trust the CA
        p.put("micronaut.server.ssl.port", Integer.toString(PORT));
        p.putAll(tls.server("agent-https-" + id, host));
        p.put(PostgresNetworkConfiguration.LISTEN_ADDRESS, host.address());
        p.put(PostgresNetworkConfiguration.CLIENT_NETWORKS, subnet);
        p.put("tideline.agent.id", id);
        p.put("tideline.agent.host", host.name());
        p.put("tideline.agent.capacity", Integer.toString(capacity));
        p.put("tideline.agent.announce-interval", "1s");
        p.put("tideline.agent.progress-interval", "500ms");
        try {
            Files.createDirectories(home);
            Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the agent's home on " + host, e);
        }
        List<String> options = new ArrayList<>();
        options.add(Java.serviceLogback());
        // As system properties: none is a secret (the agent holds no key; it reads keys by reference).
        p.forEach((k, v) -> options.add("-D" + k + "=" + v));
        this.process = new HostProcess("agent", host, Java.command("256m", agentClassPath(), "io.tideline.agent.AgentApplication",
                options, List.of()), Map.of(), dir, logs.resolve(host.name() + "-agent.log"));
    }

    /** This JVM's class path without the four services' modules (their beans would start in the agent too). */
    private static String agentClassPath() {
        Set<String> services = SERVICE_CLASSES.stream().map(AgentHost::locationOf).collect(Collectors.toSet());
        return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> !services.contains(Path.of(entry).toAbsolutePath().normalize().toString()))
                .collect(Collectors.joining(File.pathSeparator));
    }

    private static String locationOf(String className) {
        try {
            URI location = Class.forName(className).getProtectionDomain().getCodeSource().getLocation().toURI();
            return Path.of(location).toAbsolutePath().normalize().toString();
        } catch (ClassNotFoundException | URISyntaxException e) {
            throw new IllegalStateException("cannot find the module of " + className + " on the class path", e);
        }
    }

    public Host host() {
        return host;
    }

    /** The agent's id: the key of its announcements. */
    public String id() {
        return id;
    }

    public int capacity() {
        return capacity;
    }

    /** Starts it without waiting. */
    public void launch() {
        process.start();
    }

    /**
     * Waits until its HTTP interface answers: 403 to this client, which presents no certificate (only the
     * coordinator's principal gets in, issue 14.1; the coordinator's own calls are the fleet's restores).
     */
    public void awaitReady() {
        http.awaitReady("the agent", process, START_TIMEOUT,
                () -> http.get("/agent/restores/none").map(r -> r.statusCode() == 403).orElse(false));
    }

    /** The instances the agent's host holds (made for restores: running, handed over, or left half-made). */
    public List<String> instanceDirs() {
        return list(home.resolve("instances"));
    }

    /** The restores its journal holds: made or being made, not yet handed over nor removed. */
    public List<String> journal() {
        return list(home.resolve("agent").resolve("restores"));
    }

    private static List<String> list(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String logTail() {
        return process.logTail();
    }

    /**
     * A graceful stop, then every server it made (the restored copies it handed over to the fleet) removed as the
     * host's provisioner removes one: server stopped, files, secrets and its OS user gone.
     */
    @Override
    public void close() {
        process.stop(Duration.ofSeconds(15));
        LocalPostgresProvisioner provisioner = new LocalPostgresProvisioner(LocalPostgresConfig.defaults(home), secrets, Clock.systemUTC());
        provisioner.list().forEach(i -> {
            try {
                provisioner.destroy(i.id());
            } catch (RuntimeException e) {
                // the network's close kills what is left in the namespace; the data goes with the fleet's directory
            }
        });
    }
}
