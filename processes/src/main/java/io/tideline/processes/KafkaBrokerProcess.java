package io.tideline.processes;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;

/**
 * A single-node KRaft Kafka broker (combined broker and controller) in its own JVM, on the
 * classpath pinned by {@code deploy/kafka-broker}. Plain Java: the JUnit fixtures and the embedded
 * runtime ({@code tideline up}) share it.
 *
 * <p>Layout of its directory: {@code server.properties}, {@code log-dirs/} (the data) and
 * {@code broker.log} (the broker's own output, WARN and above). Stopping and starting again on
 * the same directory keeps the data and the ports; a port given as 0 is taken from an existing
 * {@code server.properties}, else picked free once.
 *
 * <p>The broker runs under a {@link WatchedProcess}, so it dies with the JVM that started it.
 */
public final class KafkaBrokerProcess implements AutoCloseable {

    public static final String CLASSPATH_RESOURCE = "tideline/kafka-broker.classpath";
    public static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(90);
    /** Enough for tests and the embedded runtime; the broker measured ~370 MB RSS with it. */
    public static final String DEFAULT_MAX_HEAP = "512m";
    private static final Duration STOP_GRACE = Duration.ofSeconds(20);
    /** The client listener's name with TLS. */
    static final String CLIENT_LISTENER = "CLIENT";

    /**
     * @param directory    where config, data and log live (created if missing)
     * @param brokerPort   client listener port, 0 = reuse the recorded one or pick a free one
     * @param controllerPort KRaft controller listener port, same rule
     */
    /** @param tls TLS on every listener with client certificates and ACLs; empty = PLAINTEXT, no authorization */
    public record Settings(Path directory, int brokerPort, int controllerPort, Duration startTimeout, String maxHeap,
                           java.util.Optional<KafkaTlsListeners> tls) {
        public Settings {
            Objects.requireNonNull(tls, "tls");
            Objects.requireNonNull(directory, "directory");
            Objects.requireNonNull(startTimeout, "startTimeout");
            Objects.requireNonNull(maxHeap, "maxHeap");
            checkPort(brokerPort, "brokerPort");
            checkPort(controllerPort, "controllerPort");
            if (startTimeout.isNegative() || startTimeout.isZero()) {
                throw new IllegalArgumentException("startTimeout must be positive: " + startTimeout);
            }
            if (brokerPort != 0 && brokerPort == controllerPort) {
                throw new IllegalArgumentException("broker and controller ports must differ: " + brokerPort);
            }
        }

        /** PLAINTEXT. */
        public Settings(Path directory, int brokerPort, int controllerPort, Duration startTimeout, String maxHeap) {
            this(directory, brokerPort, controllerPort, startTimeout, maxHeap, java.util.Optional.empty());
        }

        public Settings withTls(KafkaTlsListeners listeners) {
            return new Settings(directory, brokerPort, controllerPort, startTimeout, maxHeap, java.util.Optional.of(listeners));
        }

        /** Free ports (or the recorded ones), default timeout and heap. */
        public static Settings in(Path directory) {
            return new Settings(directory, 0, 0, DEFAULT_START_TIMEOUT, DEFAULT_MAX_HEAP);
        }

        private static void checkPort(int port, String what) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException(what + " out of range: " + port);
            }
        }
    }

    private final Settings settings;
    private final Path directory;
    private final ServerClasspath classpath;
    private int brokerPort;
    private int controllerPort;
    private WatchedProcess process;

    public KafkaBrokerProcess(Settings settings) {
        this.settings = settings;
        this.directory = settings.directory().toAbsolutePath();
        this.classpath = ServerClasspath.load(CLASSPATH_RESOURCE);
        this.brokerPort = settings.brokerPort();
        this.controllerPort = settings.controllerPort();
    }

    /** Starts a broker in {@code directory} and waits until it answers. */
    public static KafkaBrokerProcess startIn(Path directory) {
        KafkaBrokerProcess broker = new KafkaBrokerProcess(Settings.in(directory));
        broker.start();
        return broker;
    }

    /**
     * Writes the configuration, formats the storage if it is new, starts the broker and waits
     * until it answers a describeCluster. No-op when already running.
     *
     * @throws IllegalStateException with the tail of {@code broker.log} if it does not come up in time
     */
    public synchronized void start() {
        if (isRunning()) {
            return;
        }
        try {
            Files.createDirectories(directory);
            resolvePorts();
            writeServerProperties();
            if (!Files.exists(logDirs().resolve("meta.properties"))) {
                format();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the kafka broker in " + directory, e);
        }
        process = WatchedProcess.start("kafka broker", javaCommand("kafka.Kafka", serverProperties().toString()),
                directory, logFile());
        try {
            awaitReady();
        } catch (RuntimeException e) {
            process.stop(Duration.ofSeconds(5));
            process = null;
            throw e;
        }
    }

    /** Graceful shutdown (SIGTERM), forced after a grace period. Data and ports are kept. Idempotent. */
    public synchronized void stop() {
        if (process != null) {
            process.stop(STOP_GRACE);
            process = null;
        }
    }

    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** {@code 127.0.0.1:<port>}; valid once started (ports stay the same across restarts). */
    public synchronized String bootstrapServers() {
        if (brokerPort == 0) {
            throw new IllegalStateException("the kafka broker has not been started yet");
        }
        return "127.0.0.1:" + brokerPort;
    }

    /** The running broker's process (for orphan checks); empty when stopped. */
    public synchronized java.util.Optional<ProcessHandle> processHandle() {
        return process == null ? java.util.Optional.empty() : process.server();
    }

    public Path directory() {
        return directory;
    }

    /**
     * Makes the running broker read its key store file again (a renewed certificate): a dynamic update of the
     * client listener's key store to the same file, which Kafka reloads when the file changed. New connections
     * get the new certificate; nothing restarts. The controller listener (inside this one process) keeps the
     * key it started with until the next start (its certificate is renewed a third of its lifetime early).
     */
    public void reloadKeyStore() {
        KafkaTlsListeners tls = settings.tls().orElseThrow(() -> new IllegalStateException("the broker runs without TLS"));
        Properties config = new Properties();
        config.putAll(tls.clientProperties());
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        String prefix = "listener.name." + CLIENT_LISTENER.toLowerCase(java.util.Locale.ROOT) + ".";
        org.apache.kafka.common.config.ConfigResource broker =
                new org.apache.kafka.common.config.ConfigResource(org.apache.kafka.common.config.ConfigResource.Type.BROKER, "1");
        List<org.apache.kafka.clients.admin.AlterConfigOp> ops = List.of(
                set(prefix + "ssl.keystore.type", "PEM"),
                set(prefix + "ssl.keystore.location", tls.keyStore().toString()));
        try (Admin admin = Admin.create(config)) {
            admin.incrementalAlterConfigs(Map.of(broker, ops)).all().get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reloading the broker's key store", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("the broker did not reload its key store: " + e.getMessage(), e);
        }
    }

    private static org.apache.kafka.clients.admin.AlterConfigOp set(String name, String value) {
        return new org.apache.kafka.clients.admin.AlterConfigOp(new org.apache.kafka.clients.admin.ConfigEntry(name, value),
                org.apache.kafka.clients.admin.AlterConfigOp.OpType.SET);
    }

    /** Whether the broker's listeners are TLS with client certificates and ACLs. */
    public boolean isTls() {
        return settings.tls().isPresent();
    }

    public Path logFile() {
        return directory.resolve("broker.log");
    }

    @Override
    public void close() {
        stop();
    }

    private Path serverProperties() {
        return directory.resolve("server.properties");
    }

    private Path logDirs() {
        return directory.resolve("log-dirs");
    }

    private void resolvePorts() throws IOException {
        if ((brokerPort == 0 || controllerPort == 0) && Files.exists(serverProperties())) {
            Properties existing = new Properties();
            try (Reader in = Files.newBufferedReader(serverProperties(), StandardCharsets.UTF_8)) {
                existing.load(in);
            }
            Map<String, Integer> recorded = parseListeners(existing.getProperty("listeners", ""));
            if (brokerPort == 0) {
                brokerPort = recorded.getOrDefault(CLIENT_LISTENER, recorded.getOrDefault("PLAINTEXT", 0));
            }
            if (controllerPort == 0) {
                controllerPort = recorded.getOrDefault("CONTROLLER", 0);
            }
        }
        if (brokerPort == 0) {
            brokerPort = FreePort.pick();
        }
        while (controllerPort == 0 || controllerPort == brokerPort) {
            controllerPort = FreePort.pick();
        }
    }

    static Map<String, Integer> parseListeners(String listeners) {
        Map<String, Integer> ports = new java.util.HashMap<>();
        for (String listener : listeners.split(",")) {
            int scheme = listener.indexOf("://");
            int colon = listener.lastIndexOf(':');
            if (scheme > 0 && colon > scheme + 2) {
                ports.put(listener.substring(0, scheme).strip(), Integer.parseInt(listener.substring(colon + 1).strip()));
            }
        }
        return ports;
    }

    private void writeServerProperties() throws IOException {
        // Written on every start from the settings, so the file is never a second source of truth
        // (except for the ports, which it records for a restart by a later JVM).
        // With TLS the client listener is CLIENT (SSL) and the controller's too is SSL; without, PLAINTEXT both.
        String client = settings.tls().isPresent() ? CLIENT_LISTENER : "PLAINTEXT";
        String protocol = settings.tls().isPresent() ? "SSL" : "PLAINTEXT";
        List<String> lines = new ArrayList<>(List.of(
                "# Written by " + KafkaBrokerProcess.class.getName() + " at every start; edits are lost.",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
                "listeners=" + client + "://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=" + client + "://127.0.0.1:" + brokerPort,
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=" + client,
                "listener.security.protocol.map=" + client + ":" + protocol + ",CONTROLLER:" + protocol,
                "log.dirs=" + logDirs(),
                "num.partitions=1",
                // Topics are created explicitly with their configs (core's Topics); a typo must fail, not create a topic.
                "auto.create.topics.enable=false",
                // One node: internal topics cannot have more replicas, and few partitions start faster.
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "transaction.state.log.num.partitions=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "share.coordinator.state.topic.num.partitions=1",
                // A single member joins at once instead of waiting 3 s for others.
                "group.initial.rebalance.delay.ms=0"));
        settings.tls().ifPresent(tls -> lines.addAll(tls.serverProperties()));
        lines.add("");
        Files.writeString(serverProperties(), String.join("\n", lines), StandardCharsets.UTF_8);
    }

    private void format() {
        WatchedProcess formatter = WatchedProcess.start("kafka storage format",
                javaCommand("kafka.tools.StorageTool", "format", "-t", Uuid.randomUuid().toString(),
                        "-c", serverProperties().toString()),
                directory, logFile());
        java.util.Optional<Integer> status = formatter.awaitExit(settings.startTimeout());
        if (status.isEmpty()) {
            formatter.stop(Duration.ofSeconds(2));
            throw new IllegalStateException("kafka storage format did not finish within " + settings.startTimeout()
                    + "; " + formatter.logTail(40));
        }
        if (status.get() != 0) {
            throw new IllegalStateException("kafka storage format failed with status " + status.get() + "; "
                    + formatter.logTail(40));
        }
    }

    private List<String> javaCommand(String mainClass, String... args) {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + settings.maxHeap(),
                "-XX:+UseSerialGC",
                "-Djava.awt.headless=true",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-cp", classpath.asArgument(),
                mainClass));
        command.addAll(List.of(args));
        return command;
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + settings.startTimeout().toNanos();
        // Cheap port probe first: an admin client against a closed port logs a warning per retry.
        while (!FreePort.isListening(brokerPort)) {
            checkAlive();
            checkDeadline(deadline);
            sleep(100);
        }
        Properties admin = new Properties();
        settings.tls().ifPresent(tls -> admin.putAll(tls.clientProperties()));
        admin.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        admin.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        admin.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
        try (Admin client = Admin.create(admin)) {
            while (true) {
                checkAlive();
                checkDeadline(deadline);
                try {
                    if (!client.describeCluster().nodes().get(10, TimeUnit.SECONDS).isEmpty()) {
                        return;
                    }
                } catch (ExecutionException | TimeoutException e) {
                    sleep(200);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for the kafka broker", e);
                }
            }
        }
    }

    private void checkAlive() {
        if (!process.isAlive()) {
            throw new IllegalStateException("kafka broker exited during start; " + process.logTail(40));
        }
    }

    private void checkDeadline(long deadline) {
        if (System.nanoTime() > deadline) {
            throw new IllegalStateException("kafka broker did not answer on " + bootstrapServers() + " within "
                    + settings.startTimeout() + "; " + process.logTail(40));
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public String toString() {
        return "kafka broker at " + (brokerPort == 0 ? "(not started)" : bootstrapServers()) + " in " + directory;
    }
}
