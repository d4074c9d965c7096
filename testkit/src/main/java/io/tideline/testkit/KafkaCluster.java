package io.tideline.testkit;

import io.tideline.processes.FreePort;
import io.tideline.processes.KafkaNodeProcess;
import io.tideline.processes.KafkaNodeProcess.Role;
import io.tideline.processes.KafkaTlsListeners;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.Uuid;

/**
 * A real multi-node KRaft Kafka cluster, one JVM per node, for tests that lose brokers. Unlike the
 * JVM-wide {@link KafkaBroker}, a test class owns its cluster: it starts one (in {@code @BeforeAll})
 * and closes it; its nodes die with the test JVM in any case (watched processes).
 *
 * <p>Nodes get ids 1..N in the order given. Each binds and advertises its own address (default
 * 127.0.0.1) and may be launched through a command prefix (e.g. {@code ip netns exec kafka-1}), so
 * a harness can place each node on a host of its own. Ports are picked free once and kept across
 * {@link #kill}/{@link #start} of a node, like a host that reboots.
 *
 * <p>Cluster-wide settings: replication factor {@code min(3, brokers)} for Kafka's internal topics,
 * a dead broker fenced after 4 s (Kafka: 9 s), broker defaults otherwise (notably {@code min.insync.replicas=1} and no auto-creation of
 * topics), so a topic's durability is whatever its creator asked for.
 */
public final class KafkaCluster implements AutoCloseable {

    /** How long a cluster, or a restarted node, may take to be ready. Generous: the test machine may be loaded. */
    public static final Duration START_TIMEOUT = Duration.ofSeconds(180);
    static final String BROKER_HEAP = "384m";
    static final String CONTROLLER_HEAP = "192m";

    /**
     * One node to start.
     *
     * @param bindAddress   the address it binds and advertises
     * @param commandPrefix prepended to its java command (empty: none)
     */
    public record NodeSpec(Role role, String bindAddress, List<String> commandPrefix) {
        public NodeSpec {
            Objects.requireNonNull(role, "role");
            Objects.requireNonNull(bindAddress, "bindAddress");
            commandPrefix = List.copyOf(commandPrefix);
        }

        /** Broker and controller in one process, on {@code bindAddress}, launched through {@code commandPrefix}. */
        public static NodeSpec combined(String bindAddress, String... commandPrefix) {
            return new NodeSpec(Role.COMBINED, bindAddress, List.of(commandPrefix));
        }

        public static NodeSpec broker(String bindAddress, String... commandPrefix) {
            return new NodeSpec(Role.BROKER, bindAddress, List.of(commandPrefix));
        }

        public static NodeSpec controller(String bindAddress, String... commandPrefix) {
            return new NodeSpec(Role.CONTROLLER, bindAddress, List.of(commandPrefix));
        }
    }

    private final Map<Integer, KafkaNodeProcess> nodes;
    /** The client settings of the cluster's own clients (readiness, {@link #adminClient}): empty for PLAINTEXT. */
    private final Map<String, Object> clientSecurity;

    private KafkaCluster(Map<Integer, KafkaNodeProcess> nodes, Map<String, Object> clientSecurity) {
        this.nodes = nodes;
        this.clientSecurity = Map.copyOf(clientSecurity);
    }

    /**
     * TLS for a cluster ({@link KafkaTlsListeners} on every node): the identities' directory (the secret store's
     * {@code tls/} part, as core's {@code TlsCredentials} lays it out), where the caller has issued each node's
     * server identity {@code kafka-<node id>} for its address, and the client identity {@code admin} (a super user,
     * with every node's identity: brokers and controllers talk to each other as themselves).
     */
    public record Tls(Path directory, String admin) {
        public Tls {
            Objects.requireNonNull(directory, "directory");
            Objects.requireNonNull(admin, "admin");
        }

        /** {@code kafka-<nodeId>}. */
        public static String nodeIdentity(int nodeId) {
            return "kafka-" + nodeId;
        }
    }

    /** As {@link #start(Path, List)}, every listener over TLS with client certificates and ACLs. */
    public static KafkaCluster startWithTls(Path directory, List<NodeSpec> specs, Tls tls) {
        return start(directory, specs, java.util.Optional.of(tls));
    }

    /** {@code size} combined broker+controller nodes on 127.0.0.1 (a {@code size}-voter quorum). */
    public static KafkaCluster start(Path directory, int size) {
        List<NodeSpec> specs = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            specs.add(NodeSpec.combined("127.0.0.1"));
        }
        return start(directory, specs);
    }

    /**
     * Starts the nodes (node {@code i} of the list gets id {@code i + 1}, directory {@code directory/node-<id>})
     * and waits until every broker is registered in the cluster.
     *
     * @throws IllegalStateException with the failing node's log tail if it does not come up within {@link #START_TIMEOUT};
     *                               no node is left running then
     */
    public static KafkaCluster start(Path directory, List<NodeSpec> specs) {
        return start(directory, specs, java.util.Optional.empty());
    }

    private static KafkaCluster start(Path directory, List<NodeSpec> specs, java.util.Optional<Tls> tls) {
        List<KafkaNodeProcess.Spec> placed = place(specs);
        String voters = placed.stream().filter(s -> s.role().isController()).map(KafkaNodeProcess.Spec::voter)
                .collect(Collectors.joining(","));
        if (voters.isEmpty() || placed.stream().noneMatch(s -> s.role().isBroker())) {
            throw new IllegalArgumentException("a cluster needs at least one controller and one broker: " + specs);
        }
        List<String> settings = clusterSettings((int) placed.stream().filter(s -> s.role().isBroker()).count());
        String clusterId = Uuid.randomUuid().toString();
        List<String> superUsers = new ArrayList<>(placed.stream().map(s -> Tls.nodeIdentity(s.nodeId())).toList());
        tls.ifPresent(t -> superUsers.add(t.admin()));
        Map<Integer, KafkaNodeProcess> nodes = new LinkedHashMap<>();
        for (KafkaNodeProcess.Spec spec : placed) {
            String identity = Tls.nodeIdentity(spec.nodeId());
            java.util.Optional<KafkaTlsListeners> listeners = tls.map(t -> new KafkaTlsListeners(t.directory(), identity,
                    superUsers.stream().filter(u -> !u.equals(identity)).toList()));
            nodes.put(spec.nodeId(), new KafkaNodeProcess(spec, directory.resolve("node-" + spec.nodeId()), clusterId, voters, settings,
                    listeners));
        }
        // the cluster's own clients are the admin (a super user), as Kafka's PEM key store reads its identity
        Map<String, Object> clientSecurity = tls.map(t -> new KafkaTlsListeners(t.directory(), t.admin(), List.of()).clientProperties())
                .orElse(Map.of());
        KafkaCluster cluster = new KafkaCluster(nodes, clientSecurity);
        try {
            nodes.values().forEach(node -> node.prepare(START_TIMEOUT));
            // All at once: a quorum cannot form, nor a broker register, until a majority of voters runs.
            nodes.values().forEach(KafkaNodeProcess::launch);
            long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
            nodes.values().forEach(node -> node.awaitListening(deadline));
            cluster.awaitBrokers(cluster.brokerIds(), deadline);
            return cluster;
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    /** {@code host:port} of every broker, comma-separated, for {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return nodes.values().stream().filter(n -> n.spec().role().isBroker()).map(n -> n.spec().brokerAddress())
                .collect(Collectors.joining(","));
    }

    /** Minimal client properties: bootstrap servers, and with TLS the admin's identity. */
    public Properties clientProperties() {
        Properties properties = new Properties();
        properties.putAll(clientSecurity);
        properties.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        return properties;
    }

    /** A new admin client; the caller closes it. */
    public Admin adminClient() {
        return Admin.create(clientProperties());
    }

    /** The node ids of the brokers (combined nodes included), running or not. */
    public List<Integer> brokerIds() {
        return nodes.values().stream().filter(n -> n.spec().role().isBroker()).map(n -> n.spec().nodeId()).toList();
    }

    /** Every node id, in start order. */
    public List<Integer> nodeIds() {
        return List.copyOf(nodes.keySet());
    }

    /** {@code kill -9} of one node, as a crashed host: data kept, {@link #start(int)} brings it back. */
    public void kill(int nodeId) {
        node(nodeId).kill();
    }

    /** Graceful shutdown of one node (SIGTERM), data kept. */
    public void stop(int nodeId) {
        node(nodeId).stop();
    }

    /** Starts a stopped or killed node again, same address, ports and data, and waits until it rejoined. */
    public void start(int nodeId) {
        KafkaNodeProcess node = node(nodeId);
        if (node.isRunning()) {
            return;
        }
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        node.launch();
        node.awaitListening(deadline);
        if (node.spec().role().isBroker()) {
            awaitBrokers(List.of(nodeId), deadline);
        }
    }

    public boolean isRunning(int nodeId) {
        return node(nodeId).isRunning();
    }

    /** The node's server log (WARN and above), for failure messages. */
    public Path logFile(int nodeId) {
        return node(nodeId).logFile();
    }

    /** The node's server process (for orphan checks); empty when not running. */
    public java.util.Optional<ProcessHandle> processHandle(int nodeId) {
        return node(nodeId).processHandle();
    }

    /** Stops every node (brokers first, so they leave the controllers in order). Idempotent. */
    @Override
    public void close() {
        RuntimeException failure = null;
        List<KafkaNodeProcess> order = new ArrayList<>(nodes.values().stream().filter(n -> n.spec().role().isBroker()).toList());
        order.addAll(nodes.values().stream().filter(n -> !n.spec().role().isBroker()).toList());
        for (KafkaNodeProcess node : order) {
            try {
                // A broker whose quorum is gone cannot shut down in order; it would wait out the grace period.
                node.kill();
            } catch (RuntimeException e) {
                failure = failure == null ? e : failure;
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private KafkaNodeProcess node(int nodeId) {
        KafkaNodeProcess node = nodes.get(nodeId);
        if (node == null) {
            throw new IllegalArgumentException("no node " + nodeId + " in this cluster (nodes " + nodes.keySet() + ")");
        }
        return node;
    }

    /** Waits until describeCluster lists every broker of {@code ids} (registered and unfenced). */
    private void awaitBrokers(Collection<Integer> ids, long deadline) {
        Properties properties = clientProperties();
        properties.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        properties.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
        Set<Integer> seen = Set.of();
        try (Admin admin = Admin.create(properties)) {
            while (System.nanoTime() < deadline) {
                try {
                    seen = admin.describeCluster().nodes().get(10, TimeUnit.SECONDS).stream().map(Node::id)
                            .collect(Collectors.toCollection(HashSet::new));
                    if (seen.containsAll(ids)) {
                        return;
                    }
                } catch (ExecutionException | TimeoutException e) {
                    // not up yet
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for kafka brokers " + ids, e);
                }
                for (int id : ids) {
                    if (!node(id).isRunning()) {
                        throw new IllegalStateException("kafka node " + id + " exited during start; see " + node(id).logFile());
                    }
                }
                sleep(200);
            }
        }
        throw new IllegalStateException("kafka brokers " + ids + " did not all register within " + START_TIMEOUT
                + " (registered: " + seen + "); logs in " + ids.stream().map(id -> node(id).logFile().toString()).toList());
    }

    private static List<KafkaNodeProcess.Spec> place(List<NodeSpec> specs) {
        List<KafkaNodeProcess.Spec> placed = new ArrayList<>();
        Set<Integer> used = new HashSet<>();
        int id = 1;
        for (NodeSpec spec : specs) {
            int brokerPort = spec.role().isBroker() ? freePort(used) : 0;
            int controllerPort = spec.role().isController() ? freePort(used) : 0;
            placed.add(new KafkaNodeProcess.Spec(id++, spec.role(), spec.bindAddress(), brokerPort, controllerPort,
                    spec.commandPrefix(), spec.role().isBroker() ? BROKER_HEAP : CONTROLLER_HEAP));
        }
        return placed;
    }

    /** Distinct ports for every listener: nodes on one address (loopback) must not collide. */
    private static int freePort(Set<Integer> used) {
        int port;
        do {
            port = FreePort.pick();
        } while (!used.add(port));
        return port;
    }

    private static List<String> clusterSettings(int brokers) {
        int internalReplicas = Math.min(3, brokers);
        return List.of(
                "num.partitions=1",
                // Topics are created explicitly with their configs; a typo must fail, not create a topic.
                "auto.create.topics.enable=false",
                "offsets.topic.replication.factor=" + internalReplicas,
                // Few partitions: the offsets topic is created on the first group join, 50 would take seconds.
                "offsets.topic.num.partitions=5",
                "transaction.state.log.replication.factor=" + internalReplicas,
                "transaction.state.log.min.isr=" + Math.min(2, internalReplicas),
                "transaction.state.log.num.partitions=1",
                "share.coordinator.state.topic.replication.factor=" + internalReplicas,
                "share.coordinator.state.topic.min.isr=" + Math.min(2, internalReplicas),
                "share.coordinator.state.topic.num.partitions=1",
                // A group's first member gets its partitions at once instead of after 3 s.
                "group.initial.rebalance.delay.ms=0",
                // Fewer threads than Kafka's 3 + 8: several nodes share the test machine's cores.
                "num.network.threads=2",
                "num.io.threads=2",
                // A killed broker is fenced (its partitions get new leaders, it leaves their ISR) after 4 s
                // instead of Kafka's 9 s, so a test that kills one waits less; still 4 missed heartbeats.
                "broker.heartbeat.interval.ms=1000",
                "broker.session.timeout.ms=4000");
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
        return "kafka cluster " + bootstrapServers() + " (nodes " + nodes.keySet() + ")";
    }
}
