package io.tideline.fleet.hosts;

import io.tideline.fleet.net.Host;
import io.tideline.testkit.KafkaCluster;
import io.tideline.testkit.KafkaCluster.NodeSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The Kafka hosts: the testkit's KRaft {@link KafkaCluster} with one combined broker+controller per host
 * (the three forming the controller quorum), each node launched inside its host's namespace
 * ({@code ip netns exec}) and bound to its host's address. Topics are created by the services with 3
 * replicas ({@code tideline.kafka.topics.replication-factor}).
 */
public final class KafkaHosts implements AutoCloseable {

    private final List<Host> hosts;
    private final Path dir;
    private KafkaCluster cluster;

    /** @param dir the nodes' data and logs ({@code node-<id>/}); emptied first: a new cluster each run */
    public KafkaHosts(List<Host> hosts, Path dir) {
        this.hosts = List.copyOf(hosts);
        this.dir = dir;
    }

    public void start() {
        deleteRecursively(dir);
        List<NodeSpec> nodes = new ArrayList<>();
        for (Host host : hosts) {
            nodes.add(NodeSpec.combined(host.address(), "ip", "netns", "exec", host.namespace()));
        }
        cluster = KafkaCluster.start(dir, nodes);
    }

    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    /** {@code kill -9} of the broker on {@code host}. */
    public void kill(Host host) {
        cluster.kill(nodeId(host));
    }

    /** Starts the broker on {@code host} again on its data, and waits until it rejoined. */
    public void restart(Host host) {
        cluster.start(nodeId(host));
    }

    public List<Host> hosts() {
        return hosts;
    }

    private int nodeId(Host host) {
        return hosts.indexOf(host) + 1; // the cluster numbers its nodes 1..N in the order given
    }

    @Override
    public void close() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot empty " + dir, e);
        }
    }
}
