package io.tideline.fleet;

import io.tideline.core.storage.S3Clients;
import io.tideline.core.tls.CertificateRequest;
import io.tideline.core.tls.TlsCredentials;
import io.tideline.core.adoption.ExistingServer;
import io.tideline.core.adoption.ServerAdoption;
import io.tideline.core.adoption.ServerProbe;
import io.tideline.core.ids.InstanceId;
import io.tideline.core.kafka.AclInstaller;
import io.tideline.core.kafka.EventPublisher;
import io.tideline.core.kafka.KafkaAcls;
import io.tideline.core.kafka.KafkaPrincipals;
import io.tideline.core.kafka.KafkaSecurityConfiguration;
import io.tideline.core.kafka.KeyPartitioner;
import io.tideline.core.kafka.TopicReplay;
import io.tideline.core.kafka.Topics;
import io.tideline.core.kafka.TopicsConfiguration;
import io.tideline.core.registry.InstanceOnboarding;
import io.tideline.core.registry.RegisteredInstance;
import io.tideline.core.storage.ObjectStoreSettings;
import io.tideline.core.storage.ObjectStores;
import io.tideline.core.tls.TlsCredentials;
import io.tideline.fleet.hosts.AgentHost;
import io.tideline.fleet.hosts.DbHost;
import io.tideline.fleet.hosts.FleetTls;
import io.tideline.fleet.hosts.KafkaHosts;
import io.tideline.fleet.hosts.S3Host;
import io.tideline.fleet.hosts.ServiceHost;
import io.tideline.fleet.net.FleetNetwork;
import io.tideline.fleet.net.Host;
import io.tideline.platform.local.FleetConfiguration;
import io.tideline.platform.local.PostgresTlsConfiguration;
import io.tideline.platform.local.secrets.DirectorySecretStore;
import io.tideline.platform.local.storage.EmbeddedStorageProvisioner;
import io.tideline.schemas.AgentAnnounced;
import io.tideline.schemas.serde.EventCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A fleet of hosts on this machine ({@link FleetNetwork}): three Kafka hosts {@code k1..k3} (a KRaft
 * cluster, topics with 3 replicas, min ISR 2), an S3 host {@code s3}, database hosts {@code db1} and
 * {@code db2} with PostgreSQL servers Tideline did not make and a restore agent each ({@code db1}'s takes no
 * restores: it serves production), and service hosts {@code sv1} and {@code sv2}, each running the four
 * services, whose restore services place restores on the agents ({@code tideline.restore.platform.type=agent}).
 * Kafka is TLS with a principal per service, agent and the test (the admin), and ACLs.
 * PostgreSQL is reached over TLS only ({@code verify-full}): the database hosts' servers and the copies the agents
 * make have certificates from the fleet's CA (the Tideline CA in the shared secret directory).
 * Every process binds its own host's address; the test itself reaches them through the bridge, as one more host. Files (data, secrets) are on the machine's one
 * filesystem, which stands in for each host's disk and for a secret store every host reaches.
 *
 * <p>Started once per test class ({@link NetFleetExtension}); {@link #close} stops and removes all of it,
 * including every process left in a namespace.
 */
public final class NetFleet implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(NetFleet.class);
    /** How often an archiver stores a growing WAL segment: "a flush interval" of the tests. */
    public static final Duration FLUSH_INTERVAL = Duration.ofSeconds(1);
    /** After this long without WAL, an archiver commits an empty transaction on the instance. */
    public static final Duration HEARTBEAT = Duration.ofSeconds(3);
    /**
     * Restores each database host's agent takes at once. {@code db1} serves production: it takes none, so a restore
     * of a server there lands on {@code db2}, as an operator keeps restores off a busy primary's host.
     */
    static final Map<String, Integer> AGENT_CAPACITY = Map.of("db1", 0, "db2", 2);

    private final Deque<AutoCloseable> started = new ArrayDeque<>();
    private final AtomicInteger ids = new AtomicInteger();
    private final String run = Long.toString(System.currentTimeMillis() % 1_000_000, 36);
    private Path root;
    private FleetNetwork network;
    private KafkaHosts kafka;
    private S3Host s3;
    private DirectorySecretStore secrets;
    private Path caFile;
    private FleetTls fleetTls;
    private static final String S3_IDENTITY = "s3";
    private final Map<String, DbHost> dbHosts = new LinkedHashMap<>();
    private final Map<String, AgentHost> agents = new LinkedHashMap<>();
    private final Map<String, ServiceHost> serviceHosts = new LinkedHashMap<>();
    private EventPublisher publisher;
    private ObjectStores objectStores;
    private EmbeddedStorageProvisioner storage;
    private ServerAdoption adoption;

    private NetFleet() {
    }

    /** Builds and starts the whole fleet; on failure removes what was made and throws. */
    public static NetFleet start(Path logs) {
        NetFleet fleet = new NetFleet();
        try {
            fleet.build(logs);
            return fleet;
        } catch (RuntimeException e) {
            fleet.close();
            throw e;
        }
    }

    private void build(Path logs) {
        long t0 = System.nanoTime();
        root = tempRoot();
        network = FleetNetwork.create();
        started.push(network);
        Host k1 = network.addHost("k1", 11);
        Host k2 = network.addHost("k2", 12);
        Host k3 = network.addHost("k3", 13);
        Host s3Host = network.addHost("s3", 20);
        Host db1 = network.addHost("db1", 31);
        Host db2 = network.addHost("db2", 32);
        Host sv1 = network.addHost("sv1", 41);
        Host sv2 = network.addHost("sv2", 42);
        secrets = new DirectorySecretStore(dir("secrets"));

        // Kafka over TLS (issue 14.1): brokers, services, agents and the test each as its own principal, with ACLs
        kafka = new KafkaHosts(List.of(k1, k2, k3), logs.resolve("kafka"), new TlsCredentials(secrets, Clock.systemUTC()),
                secrets.root().resolve("tls"));
        started.push(kafka);
        // S3 over HTTPS (issue 14.1): the fleet's Tideline CA issues the S3 host's certificate for its address
        fleetTls = new FleetTls(secrets, dir("tls"));
        new TlsCredentials(secrets, Clock.systemUTC()).ensure(S3_IDENTITY,
                CertificateRequest.server(S3_IDENTITY, List.of(), List.of(s3Host.address())));
        caFile = fleetTls.caFile();
        s3 = new S3Host(s3Host, dir("s3"), logs, secrets.fileOf(TlsCredentials.identityRef(S3_IDENTITY)));
        started.push(s3);
        // both in parallel: they are independent, and each takes seconds
        Thread s3Start = new Thread(s3::start, "s3-host-start");
        s3Start.start();
        kafka.start();
        join(s3Start, Duration.ofSeconds(120));
        LOG.info("fleet: kafka and s3 up after {} ms", (System.nanoTime() - t0) / 1_000_000);
        ensureKafkaAcls(List.of(db1, db2));

        ObjectStoreSettings storeSettings = ObjectStoreSettings.defaults(s3.endpoint()).withRegion(s3.region()).withTrustedCa(caFile);
        objectStores = new ObjectStores(storeSettings, secrets, Clock.systemUTC());
        started.push(objectStores);
        S3Client admin = S3Clients.create(storeSettings, s3.adminAccessKey(), s3.adminSecretKey()); // trusts the CA
        started.push(admin);
        storage = new EmbeddedStorageProvisioner(admin, s3.identitiesDir(), secrets, storeSettings, Clock.systemUTC(), new SecureRandom());
        publisher = new EventPublisher(kafka.admin(), EventCodec.standard());
        started.push(publisher);
        // these servers exist already: they are registered as `tideline instance register` does (check first)
        adoption = new ServerAdoption(storage, secrets, publisher, Clock.systemUTC(), new ServerProbe(ServerAdoption.DEFAULT_CONNECT_TIMEOUT));

        for (Host db : List.of(db1, db2)) {
            DbHost host = new DbHost(db, subnet(), dir(db.name()), secrets, new TlsCredentials(secrets, Clock.systemUTC()));
            started.push(host);
            dbHosts.put(db.name(), host);
        }
        Map<String, Object> shared = serviceProperties(storeSettings);
        for (Host sv : List.of(sv1, sv2)) {
            ServiceHost host = new ServiceHost(sv, dir(sv.name()), logs, shared, fleetTls);
            started.push(host);
            serviceHosts.put(sv.name(), host);
        }
        for (Host db : List.of(db1, db2)) {
            AgentHost agent = new AgentHost(db, dir(db.name()), logs, shared, subnet(), AGENT_CAPACITY.get(db.name()), secrets, fleetTls);
            started.push(agent);
            agents.put(db.name(), agent);
        }
        serviceHosts.values().forEach(ServiceHost::launch);
        agents.values().forEach(AgentHost::launch);
        serviceHosts.values().forEach(ServiceHost::awaitReady);
        agents.values().forEach(AgentHost::awaitReady);
        awaitTopic(Topics.INSTANCES, Duration.ofSeconds(60));
        awaitAnnounced(Duration.ofSeconds(60));
        LOG.info("fleet up after {} ms: {}", (System.nanoTime() - t0) / 1_000_000, network);
    }

    private Map<String, Object> serviceProperties(ObjectStoreSettings store) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("endpoints.health.enabled", true);
        p.put("endpoints.health.sensitive", false);
        p.put("endpoints.prometheus.enabled", true);
        p.put("endpoints.prometheus.sensitive", false);
        p.put("kafka.bootstrap.servers", kafka.bootstrapServers());
        // each service as its own principal (the shared parts of the host as the restore service's), as the runtime
        p.put(KafkaSecurityConfiguration.PREFIX + ".tls", true);
        p.put(KafkaSecurityConfiguration.PREFIX + ".directory", kafka.tlsDirectory().toString());
        p.put(KafkaSecurityConfiguration.PREFIX + ".principal", KafkaPrincipals.RESTORE);
        // a member that died is out of its groups within seconds (default 45 s), so its work moves on soon
        p.put("kafka.consumers.default.session.timeout.ms", 10_000);
        p.put("kafka.consumers.default.heartbeat.interval.ms", 2_000);
        // the production profile: three replicas, a write needs two of them
        p.put(TopicsConfiguration.PREFIX + ".replication-factor", 3);
        p.put(TopicsConfiguration.PREFIX + ".min-insync-replicas", 2);
        p.put(TopicsConfiguration.PREFIX + ".create-on-startup", true);
        p.put(ObjectStoreSettings.PREFIX + ".endpoint", s3.endpoint().toString());
        p.put(ObjectStoreSettings.PREFIX + ".region", s3.region());
        p.put(ObjectStoreSettings.PREFIX + ".path-style", true);
        p.put(ObjectStoreSettings.PREFIX + ".trusted-ca", caFile.toString());
        p.put(FleetConfiguration.SECRETS_DIR, secrets.root().toString());
        p.put(FleetConfiguration.STORAGE_ADMIN_ACCESS_KEY, s3.adminAccessKey());
        p.put(FleetConfiguration.STORAGE_ADMIN_SECRET_KEY, s3.adminSecretKey());
        p.put(FleetConfiguration.STORAGE_IDENTITIES_DIR, s3.identitiesDir().toString());
        p.put("tideline.archiver.wal.flush-interval", FLUSH_INTERVAL.toMillis() + "ms");
        // a silent stream (a cut link) shows as archive lag from the first heartbeat its WAL does not bring
        p.put("tideline.archiver.wal.heartbeat-interval", HEARTBEAT.toMillis() + "ms");
        // restores are made where the new instance lives: on a database host, by its agent
        p.put("tideline.restore.platform.type", "agent");
        // PostgreSQL over TLS (issue 14.1): servers made here get a certificate from the fleet's CA and TLS-only
        // pg_hba; every Tideline client connects verify-full to a server whose CA is kept (all of the fleet's)
        p.put(PostgresTlsConfiguration.ENABLED, true);
        return p;
    }

    // ------------------------------------------------------------------ what tests use

    /**
     * A PostgreSQL server started on database host {@code db}, registered as an existing server is
     * ({@code ServerAdoption}, what {@code tideline instance register} runs): checked first, its passwords into
     * the secret store, its own bucket and credentials, an {@code InstanceRegistered} with {@code adopted=true}.
     *
     * @param partition the partition of the instances topic its id must land on (so tests can spread
     *                  instances over the service hosts), or -1 for any
     */
    public RegisteredInstance registerServer(String db, String prefix, int partition) {
        InstanceId id = newId(prefix, partition);
        ExistingServer server = dbHosts.get(db).startServer(id);
        return adoption.adopt(id, id.value(), server, InstanceOnboarding.Options.defaults());
    }

    private InstanceId newId(String prefix, int partition) {
        while (true) {
            InstanceId id = InstanceId.of(prefix + "-" + run + "-" + ids.incrementAndGet());
            if (partition < 0 || KeyPartitioner.partitionOf(id.value(), topicPartitions()) == partition) {
                return id;
            }
        }
    }

    public int topicPartitions() {
        return TopicsConfiguration.defaults().partitions();
    }

    public FleetNetwork network() {
        return network;
    }

    public KafkaHosts kafka() {
        return kafka;
    }

    public S3Host s3() {
        return s3;
    }

    public DbHost db(String name) {
        return dbHosts.get(name);
    }

    /** The database host whose address the instance is registered at. */
    public DbHost dbHostOf(RegisteredInstance instance) {
        return dbHosts.values().stream().filter(d -> d.host().address().equals(instance.host())).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(instance.id() + " is on no database host: " + instance.host()));
    }

    /** The restore agent of database host {@code db}. */
    public AgentHost agent(String db) {
        return agents.get(db);
    }

    public ServiceHost service(String name) {
        return serviceHosts.get(name);
    }

    public List<ServiceHost> services() {
        return List.copyOf(serviceHosts.values());
    }

    public DirectorySecretStore secrets() {
        return secrets;
    }

    public EventPublisher publisher() {
        return publisher;
    }

    public ObjectStores objectStores() {
        return objectStores;
    }

    /** {@code 10.231.n.0/24}. */
    public String subnet() {
        String gateway = network.gatewayAddress();
        return gateway.substring(0, gateway.lastIndexOf('.')) + ".0/24";
    }

    // ------------------------------------------------------------------ helpers

    /**
     * Every principal's identity, and the ACL table (the services' and each agent's grants) created as the admin before
     * any service or agent starts, so that no first read races its grant. No external front door: the test publishes
     * its restore requests as the admin.
     */
    private void ensureKafkaAcls(List<Host> dbs) {
        KafkaPrincipals.SERVICES.forEach(kafka::ensureClient);
        List<KafkaAcls> table = new java.util.ArrayList<>(KafkaAcls.table(List.of()));
        for (Host db : dbs) {
            String agentId = AgentHost.idOf(db);
            kafka.ensureClient(KafkaPrincipals.agent(agentId));
            table.add(KafkaAcls.agent(agentId));
        }
        Map<String, Object> config = kafka.admin().config();
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
        try (Admin admin = Admin.create(config)) {
            new AclInstaller(admin, Duration.ofSeconds(30)).ensure(table);
        }
    }

    private void awaitTopic(String topic, Duration timeout) {
        Properties props = kafka.admin().properties();
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Admin admin = Admin.create(props)) {
            while (!admin.listTopics().names().get(10, TimeUnit.SECONDS).contains(topic)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the services did not create " + topic + " within " + timeout);
                }
                Thread.sleep(300);
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot see topic " + topic + ": " + e.getMessage(), e);
        }
    }

    /** Waits until every agent has announced itself on {@code tideline.agents}: the coordinators place restores by it. */
    private void awaitAnnounced(Duration timeout) {
        Set<String> heard = ConcurrentHashMap.newKeySet();
        try (TopicReplay replay = new TopicReplay(kafka.admin(), List.of(Topics.AGENTS), "fleet-agents", EventCodec.standard(),
                r -> r.value().filter(AgentAnnounced.class::isInstance).ifPresent(a -> heard.add(((AgentAnnounced) a).getAgentId())))) {
            replay.start();
            Set<String> expected = Set.copyOf(agents.values().stream().map(AgentHost::id).toList());
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!heard.containsAll(expected)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("agents " + expected + " did not all announce themselves within " + timeout
                            + " (heard " + heard + ")");
                }
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for the agents", e);
                }
            }
        }
    }

    private Path dir(String name) {
        Path dir = root.resolve(name);
        try {
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
        return dir;
    }

    private static Path tempRoot() {
        try {
            // world-traversable: PostgreSQL runs as the postgres user and must reach its data directory
            Path root = Files.createTempDirectory("tideline-fleet-");
            Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
            return root;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the fleet's directory", e);
        }
    }

    private static void join(Thread thread, Duration timeout) {
        try {
            thread.join(timeout.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops everything in reverse order, then the network removes what is left (processes, namespaces, links). */
    @Override
    public void close() {
        while (!started.isEmpty()) {
            AutoCloseable part = started.pop();
            try {
                part.close();
            } catch (Exception e) {
                LOG.warn("cannot stop {}: {}", part, e.toString());
            }
        }
        if (root != null && !Boolean.getBoolean("tideline.test.keepHome")) {
            try (Stream<Path> paths = Files.walk(root)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                // a temp directory left behind must not fail a green run
            }
        }
    }
}
