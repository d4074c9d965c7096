package io.tideline.processes;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One node of a multi-node KRaft Kafka cluster, in its own JVM on the classpath pinned by
 * {@code deploy/kafka-broker} (the single-node counterpart is {@link KafkaBrokerProcess}). It only
 * launches, kills and probes its process; the cluster around it (ids, voters, readiness of the
 * whole) is the testkit's {@code KafkaCluster}.
 *
 * <p>Layout of its directory: {@code server.properties}, {@code log-dirs/} and {@code node.log}.
 * The node's ports and address are fixed at construction, so a restart finds its peers' view of it
 * unchanged. It runs under a {@link WatchedProcess} (dies with the JVM that started it), optionally
 * through a command prefix such as {@code ip netns exec kafka-1}, which execs the server in place,
 * so the watched pid is still the server's.
 */
public final class KafkaNodeProcess implements AutoCloseable {

    /** What the node does in the cluster. */
    public enum Role {
        /** Broker and KRaft voter in one process (Strimzi's dual-role pool). */
        COMBINED("broker,controller"),
        /** Broker only. */
        BROKER("broker"),
        /** KRaft voter only. */
        CONTROLLER("controller");

        private final String processRoles;

        Role(String processRoles) {
            this.processRoles = processRoles;
        }

        public boolean isBroker() {
            return this != CONTROLLER;
        }

        public boolean isController() {
            return this != BROKER;
        }
    }

    /**
     * @param nodeId         Kafka's {@code node.id}, unique in the cluster
     * @param bindAddress    the address both listeners bind and advertise (e.g. 127.0.0.1, or a namespace's address)
     * @param brokerPort     client listener port; 0 for a controller-only node
     * @param controllerPort KRaft listener port; 0 for a broker-only node
     * @param commandPrefix  prepended to the server's java command (e.g. {@code ip netns exec kafka-1}); empty for none
     * @param maxHeap        the node JVM's {@code -Xmx}, e.g. {@code 384m}
     */
    public record Spec(int nodeId, Role role, String bindAddress, int brokerPort, int controllerPort,
                       List<String> commandPrefix, String maxHeap) {
        public Spec {
            Objects.requireNonNull(role, "role");
            Objects.requireNonNull(bindAddress, "bindAddress");
            Objects.requireNonNull(maxHeap, "maxHeap");
            commandPrefix = List.copyOf(commandPrefix);
            if (nodeId < 0) {
                throw new IllegalArgumentException("nodeId must be >= 0: " + nodeId);
            }
            if (role.isBroker() != (brokerPort > 0) || role.isController() != (controllerPort > 0)) {
                throw new IllegalArgumentException("node " + nodeId + " (" + role + ") needs exactly the ports of its roles: broker "
                        + brokerPort + ", controller " + controllerPort);
            }
            if (brokerPort > 65535 || controllerPort > 65535 || (brokerPort > 0 && brokerPort == controllerPort)) {
                throw new IllegalArgumentException("node " + nodeId + ": bad ports " + brokerPort + "/" + controllerPort);
            }
        }

        /** {@code id@address:port}, this node's entry in {@code controller.quorum.voters}. */
        public String voter() {
            if (!role.isController()) {
                throw new IllegalStateException("node " + nodeId + " is not a controller");
            }
            return nodeId + "@" + bindAddress + ":" + controllerPort;
        }

        /** {@code address:port} of the client listener. */
        public String brokerAddress() {
            if (!role.isBroker()) {
                throw new IllegalStateException("node " + nodeId + " is not a broker");
            }
            return bindAddress + ":" + brokerPort;
        }
    }

    private final Spec spec;
    private final Path directory;
    private final String clusterId;
    private final String voters;
    private final List<String> extraProperties;
    private final ServerClasspath classpath;
    private final Optional<KafkaTlsListeners> tls;
    private WatchedProcess process;

    /**
     * @param clusterId       the same for every node of the cluster
     * @param voters          {@code controller.quorum.voters} of the cluster
     * @param extraProperties further {@code key=value} lines of {@code server.properties} (cluster-wide settings)
     */
    public KafkaNodeProcess(Spec spec, Path directory, String clusterId, String voters, List<String> extraProperties) {
        this(spec, directory, clusterId, voters, extraProperties, Optional.empty());
    }

    /**
     * @param tls TLS on every listener (client, inter-broker, controller) with client certificates and ACLs, as
     *            {@link KafkaBrokerProcess.Settings#withTls}; empty = PLAINTEXT, no authorization
     */
    public KafkaNodeProcess(Spec spec, Path directory, String clusterId, String voters, List<String> extraProperties,
                            Optional<KafkaTlsListeners> tls) {
        this.tls = Objects.requireNonNull(tls, "tls");
        this.spec = Objects.requireNonNull(spec, "spec");
        this.directory = directory.toAbsolutePath();
        this.clusterId = Objects.requireNonNull(clusterId, "clusterId");
        this.voters = Objects.requireNonNull(voters, "voters");
        this.extraProperties = List.copyOf(extraProperties);
        this.classpath = ServerClasspath.load(KafkaBrokerProcess.CLASSPATH_RESOURCE);
    }

    public Spec spec() {
        return spec;
    }

    /** The node's TLS, when it runs with it. */
    public Optional<KafkaTlsListeners> tls() {
        return tls;
    }

    /**
     * Writes the configuration and formats the storage if it is new (without the command prefix:
     * formatting touches only files). Blocks until the formatter exits.
     */
    public void prepare(Duration timeout) {
        try {
            Files.createDirectories(directory);
            Files.writeString(serverProperties(), serverPropertiesText(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare kafka node " + spec.nodeId() + " in " + directory, e);
        }
        if (Files.exists(logDirs().resolve("meta.properties"))) {
            return;
        }
        WatchedProcess formatter = WatchedProcess.start("kafka storage format (node " + spec.nodeId() + ")",
                javaCommand(List.of(), "kafka.tools.StorageTool", "format", "-t", clusterId, "-c", serverProperties().toString()),
                directory, logFile());
        Optional<Integer> status = formatter.awaitExit(timeout);
        if (status.isEmpty()) {
            formatter.stop(Duration.ofSeconds(2));
            throw new IllegalStateException("kafka storage format of node " + spec.nodeId() + " did not finish within "
                    + timeout + "; " + formatter.logTail(40));
        }
        if (status.get() != 0) {
            throw new IllegalStateException("kafka storage format of node " + spec.nodeId() + " failed with status "
                    + status.get() + "; " + formatter.logTail(40));
        }
    }

    /** Launches the server and returns at once; {@link #awaitListening} waits for its port. No-op when running. */
    public synchronized void launch() {
        if (isRunning()) {
            return;
        }
        process = WatchedProcess.start("kafka node " + spec.nodeId(),
                javaCommand(spec.commandPrefix(), "kafka.Kafka", serverProperties().toString()), directory, logFile());
    }

    /**
     * Waits until the node's own listener (the broker's, else the controller's) accepts connections.
     *
     * @throws IllegalStateException with the log's tail when the node exits or the deadline passes
     */
    public void awaitListening(long deadlineNanos) {
        int port = spec.role().isBroker() ? spec.brokerPort() : spec.controllerPort();
        while (!isListening(spec.bindAddress(), port)) {
            WatchedProcess current = current();
            if (current == null || !current.isAlive()) {
                throw new IllegalStateException("kafka node " + spec.nodeId() + " exited during start; " + logTail());
            }
            if (System.nanoTime() > deadlineNanos) {
                throw new IllegalStateException("kafka node " + spec.nodeId() + " did not listen on " + spec.bindAddress()
                        + ":" + port + " in time; " + logTail());
            }
            sleep(100);
        }
    }

    /** {@code SIGKILL} of the server, as a crashed host: no shutdown, no controlled leader move. Data kept. Idempotent. */
    public synchronized void kill() {
        if (process == null) {
            return;
        }
        process.server().ifPresent(server -> {
            server.destroyForcibly();
            server.onExit().join();
        });
        // Reaps the watchdog, which leaves as soon as its server is gone.
        process.stop(Duration.ofSeconds(5));
        process = null;
    }

    /** Graceful shutdown (SIGTERM, forced after 20 s). Data kept. Idempotent. */
    public synchronized void stop() {
        if (process != null) {
            process.stop(Duration.ofSeconds(20));
            process = null;
        }
    }

    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** The server process, for orphan checks; empty when stopped. */
    public synchronized Optional<ProcessHandle> processHandle() {
        return process == null ? Optional.empty() : process.server();
    }

    public Path logFile() {
        return directory.resolve("node.log");
    }

    @Override
    public void close() {
        stop();
    }

    private synchronized WatchedProcess current() {
        return process;
    }

    private String logTail() {
        return WatchedProcess.tail(logFile(), 40);
    }

    private Path serverProperties() {
        return directory.resolve("server.properties");
    }

    private Path logDirs() {
        return directory.resolve("log-dirs");
    }

    String serverPropertiesText() {
        List<String> lines = new ArrayList<>(List.of(
                "# Written by " + KafkaNodeProcess.class.getName() + " at every start; edits are lost.",
                "process.roles=" + spec.role().processRoles,
                "node.id=" + spec.nodeId(),
                "controller.quorum.voters=" + voters,
                "controller.listener.names=CONTROLLER",
                // With TLS the client listener is CLIENT (SSL) and the controller's too is SSL; without, PLAINTEXT both.
                tls.isPresent() ? "listener.security.protocol.map=CLIENT:SSL,CONTROLLER:SSL"
                        : "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "log.dirs=" + logDirs()));
        String client = tls.isPresent() ? "CLIENT" : "PLAINTEXT";
        List<String> listeners = new ArrayList<>();
        if (spec.role().isBroker()) {
            listeners.add(client + "://" + spec.brokerAddress());
            lines.add("advertised.listeners=" + client + "://" + spec.brokerAddress());
            lines.add("inter.broker.listener.name=" + client);
        }
        if (spec.role().isController()) {
            listeners.add("CONTROLLER://" + spec.bindAddress() + ":" + spec.controllerPort());
        }
        lines.add("listeners=" + String.join(",", listeners));
        lines.addAll(extraProperties);
        tls.ifPresent(t -> lines.addAll(t.serverProperties()));
        lines.add("");
        return String.join("\n", lines);
    }

    private List<String> javaCommand(List<String> prefix, String mainClass, String... args) {
        List<String> command = new ArrayList<>(prefix);
        command.addAll(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + spec.maxHeap(),
                "-XX:+UseSerialGC",
                // C1 only: a test cluster starts several JVMs at once on a loaded machine; it needs start-up, not peak speed
                "-XX:TieredStopAtLevel=1",
                "-Djava.awt.headless=true",
                // INFO would log every fetch session change of every partition: the log tail must stay readable
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-cp", classpath.asArgument(),
                mainClass));
        command.addAll(List.of(args));
        return command;
    }

    /** True when something accepts TCP connections on {@code address:port}. */
    static boolean isListening(String address, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(address, port), 500);
            return true;
        } catch (IOException e) {
            return false;
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
        return "kafka node " + spec.nodeId() + " (" + spec.role() + ") at " + spec.bindAddress() + " in " + directory;
    }
}
