package io.tideline.fleet.hosts;

import io.tideline.fleet.net.Host;
import io.tideline.processes.KafkaBrokerProcess;
import io.tideline.processes.ServerClasspath;
import io.tideline.processes.WatchedProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;

/**
 * A KRaft Kafka cluster with one node per Kafka host (each broker and controller, the three forming the
 * controller quorum), every node bound to its own host's address; same ports on every host, since each
 * has its own address. Production settings: topics with 3 replicas, {@code min.insync.replicas} 2, so one
 * broker can die without a write being refused or a committed record lost.
 */
public final class KafkaHosts implements AutoCloseable {

    public static final int PORT = 9092;
    public static final int CONTROLLER_PORT = 9093;
    private static final String MAX_HEAP = "384m";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);

    private final List<Host> hosts;
    private final Path dir;
    private final Path logs;
    private final List<HostProcess> nodes = new ArrayList<>();

    public KafkaHosts(List<Host> hosts, Path dir, Path logs) {
        this.hosts = List.copyOf(hosts);
        this.dir = dir;
        this.logs = logs;
    }

    /** Formats every node with one cluster id, starts them all, waits until the cluster has every broker. */
    public void start() {
        String classpath = ServerClasspath.load(KafkaBrokerProcess.CLASSPATH_RESOURCE).asArgument();
        String clusterId = Uuid.randomUuid().toString();
        String voters = "";
        for (int i = 0; i < hosts.size(); i++) {
            voters += (i == 0 ? "" : ",") + (i + 1) + "@" + hosts.get(i).address() + ":" + CONTROLLER_PORT;
        }
        for (int i = 0; i < hosts.size(); i++) {
            Host host = hosts.get(i);
            Path nodeDir = dir.resolve(host.name());
            Path properties = nodeDir.resolve("server.properties");
            Path log = logs.resolve(host.name() + "-kafka.log");
            try {
                Files.createDirectories(nodeDir);
                Files.writeString(properties, config(i + 1, host, voters, nodeDir.resolve("log-dirs")), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot prepare kafka on " + host, e);
            }
            WatchedProcess format = WatchedProcess.start("kafka storage format on " + host.name(),
                    Java.command("256m", classpath, "kafka.tools.StorageTool", List.of(),
                            List.of("format", "-t", clusterId, "-c", properties.toString())), nodeDir, log);
            if (format.awaitExit(START_TIMEOUT).orElse(-1) != 0) {
                format.stop(Duration.ofSeconds(2));
                throw new IllegalStateException("kafka storage format failed on " + host + "; " + format.logTail(30));
            }
            nodes.add(new HostProcess("kafka", host, Java.command(MAX_HEAP, classpath, "kafka.Kafka",
                    List.of("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"), List.of(properties.toString())), Map.of(), nodeDir, log));
        }
        nodes.forEach(HostProcess::start);
        awaitBrokers(hosts.size(), START_TIMEOUT);
    }

    private static String config(int nodeId, Host host, String voters, Path logDirs) {
        return String.join("\n",
                "process.roles=broker,controller",
                "node.id=" + nodeId,
                "controller.quorum.voters=" + voters,
                "listeners=PLAINTEXT://" + host.address() + ":" + PORT + ",CONTROLLER://" + host.address() + ":" + CONTROLLER_PORT,
                "advertised.listeners=PLAINTEXT://" + host.address() + ":" + PORT,
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "log.dirs=" + logDirs,
                "auto.create.topics.enable=false",
                // the production profile: every partition on three brokers, a write needs two of them
                "default.replication.factor=3",
                "min.insync.replicas=2",
                "offsets.topic.replication.factor=3",
                "offsets.topic.num.partitions=3",
                "transaction.state.log.replication.factor=3",
                "transaction.state.log.min.isr=2",
                "transaction.state.log.num.partitions=3",
                "share.coordinator.state.topic.replication.factor=3",
                "share.coordinator.state.topic.min.isr=2",
                "share.coordinator.state.topic.num.partitions=1",
                "group.initial.rebalance.delay.ms=0",
                // a dead broker is noticed in seconds, not the default 9 s + 18 s
                "broker.session.timeout.ms=6000",
                "broker.heartbeat.interval.ms=1000",
                "replica.lag.time.max.ms=10000",
                "");
    }

    /** {@code k1:9092,k2:9092,k3:9092}. */
    public String bootstrapServers() {
        return hosts.stream().map(h -> h.address() + ":" + PORT).collect(Collectors.joining(","));
    }

    /** {@code kill -9} of the broker on {@code host}. */
    public void kill(Host host) {
        nodes.get(hosts.indexOf(host)).kill();
    }

    /** Starts the broker on {@code host} again on its data, and waits until the cluster has every broker. */
    public void restart(Host host) {
        nodes.get(hosts.indexOf(host)).start();
        awaitBrokers(hosts.size(), START_TIMEOUT);
    }

    public List<Host> hosts() {
        return hosts;
    }

    private void awaitBrokers(int count, Duration timeout) {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Admin admin = Admin.create(props)) {
            while (true) {
                for (HostProcess node : nodes) {
                    if (!node.isAlive()) {
                        throw new IllegalStateException("a kafka node exited during start; " + node.logTail());
                    }
                }
                try {
                    if (admin.describeCluster().nodes().get(10, TimeUnit.SECONDS).size() >= count) {
                        return;
                    }
                } catch (Exception e) {
                    // not yet
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the kafka cluster did not have " + count + " brokers within " + timeout
                            + "; " + nodes.get(0).logTail());
                }
                Thread.sleep(300);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for kafka", e);
        }
    }

    @Override
    public void close() {
        nodes.forEach(n -> n.stop(Duration.ofSeconds(10)));
    }
}
