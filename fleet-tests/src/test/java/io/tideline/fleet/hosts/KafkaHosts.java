package io.tideline.fleet.hosts;

import io.tideline.core.kafka.KafkaConnection;
import io.tideline.core.kafka.KafkaPrincipals;
import io.tideline.core.tls.CertificateRequest;
import io.tideline.core.tls.TlsCredentials;
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
 * replicas ({@code tideline.kafka.topics.replication-factor}). Every listener is TLS with client certificates and ACLs.
 */
public final class KafkaHosts implements AutoCloseable {

    private final List<Host> hosts;
    private final Path dir;
    private final TlsCredentials credentials;
    private final Path tlsDirectory;
    private KafkaCluster cluster;

    /**
     * @param dir          the nodes' data and logs ({@code node-<id>/}); emptied first: a new cluster each run
     * @param credentials  the fleet's CA (over its secret directory), which issues the brokers' and clients' identities
     * @param tlsDirectory where those identities are ({@code <secrets>/tls}: {@code <name>/identity.pem}, {@code ca/ca.crt})
     */
    public KafkaHosts(List<Host> hosts, Path dir, TlsCredentials credentials, Path tlsDirectory) {
        this.hosts = List.copyOf(hosts);
        this.dir = dir;
        this.credentials = credentials;
        this.tlsDirectory = tlsDirectory;
    }

    /**
     * Starts the cluster over TLS (issue 14.1): each node {@code kafka-<id>} gets a certificate for its host's address
     * from the fleet's CA; brokers and {@code admin} are the super users; everyone else gets what the ACLs grant.
     */
    public void start() {
        deleteRecursively(dir);
        List<NodeSpec> nodes = new ArrayList<>();
        for (int i = 0; i < hosts.size(); i++) {
            Host host = hosts.get(i);
            String identity = KafkaCluster.Tls.nodeIdentity(i + 1); // the cluster numbers its nodes 1..N in the order given
            credentials.ensure(identity, CertificateRequest.server(identity, List.of(), List.of(host.address())));
            nodes.add(NodeSpec.combined(host.address(), "ip", "netns", "exec", host.namespace()));
        }
        ensureClient(KafkaPrincipals.ADMIN);
        cluster = KafkaCluster.startWithTls(dir, nodes, new KafkaCluster.Tls(tlsDirectory, KafkaPrincipals.ADMIN));
    }

    /** Issues the client identity of {@code principal} (its certificate's common name is the principal). */
    public void ensureClient(String principal) {
        credentials.ensure(principal, CertificateRequest.client(principal));
    }

    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    /** The identities' directory ({@code tideline.kafka.security.directory}). */
    public Path tlsDirectory() {
        return tlsDirectory;
    }

    /** How {@code principal} reaches the brokers (its identity issued by {@link #ensureClient}). */
    public KafkaConnection connection(String principal) {
        return KafkaConnection.tls(bootstrapServers(), tlsDirectory, principal);
    }

    /** The test's own clients: the admin, a super user. */
    public KafkaConnection admin() {
        return connection(KafkaPrincipals.ADMIN);
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
