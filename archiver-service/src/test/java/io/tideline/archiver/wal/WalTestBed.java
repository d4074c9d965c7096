package io.tideline.archiver.wal;

import static org.awaitility.Awaitility.await;

import com.github.luben.zstd.Zstd;
import io.micronaut.context.ApplicationContext;
import io.tideline.archiver.ArchiverConfig;
import io.tideline.core.ids.InstanceId;
import io.tideline.core.instance.InstanceSpec;
import io.tideline.core.instance.ProvisionedInstance;
import io.tideline.core.kafka.KeyPartitioner;
import io.tideline.core.kafka.Topics;
import io.tideline.core.registry.InstanceOnboarding;
import io.tideline.core.registry.RegisteredInstance;
import io.tideline.core.storage.BucketGrant;
import io.tideline.core.storage.BucketLayout;
import io.tideline.core.storage.ObjectKind;
import io.tideline.core.storage.ObjectStore;
import io.tideline.core.storage.StoredObject;
import io.tideline.core.wal.Lsn;
import io.tideline.core.wal.WalSegmentName;
import io.tideline.schemas.serde.AvroEventDeserializer;
import io.tideline.schemas.serde.EventCodec;
import io.tideline.testkit.Fleet;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * What the WAL ITs share: archiver contexts pointed at the real fleet (each test class its own
 * consumer group, so classes never share partitions), instances made the way users make them,
 * a watcher of the events the archiver publishes, and the server's own segment files to compare with.
 */
final class WalTestBed implements AutoCloseable {

    static final long MB = 1024 * 1024;

    final Fleet fleet;
    final String groupId = "it-archiver-" + UUID.randomUUID();
    private final List<ApplicationContext> contexts = new CopyOnWriteArrayList<>();
    private final List<InstanceId> instances = new CopyOnWriteArrayList<>();
    private final Map<InstanceId, List<SpecificRecord>> events = new ConcurrentHashMap<>();
    private final Thread watcher;
    private final CountDownLatch watcherReady = new CountDownLatch(1);
    private volatile boolean watching = true;

    WalTestBed(Fleet fleet) {
        this.fleet = fleet;
        // the topics exist before anything is published (brokers do not auto-create them)
        fleet.kafka().createTopic(Topics.INSTANCES, 3, Map.of("cleanup.policy", "compact"));
        fleet.kafka().createTopic(Topics.TIMELINE, 3, Map.of());
        fleet.kafka().createTopic(Topics.BACKUP_COMMANDS, 3, Map.of());
        this.watcher = new Thread(this::watch, "it-event-watcher");
        this.watcher.setDaemon(true);
        this.watcher.start();
        try {
            if (!watcherReady.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the event watcher did not start");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Properties of an archiver replica in this test's group, quick to retry and to rebalance. */
    Map<String, Object> archiverProperties(Duration flushInterval) {
        Map<String, Object> p = new HashMap<>(fleet.serviceProperties());
        p.put(ArchiverConfig.PREFIX + ".group-id", groupId);
        p.put("tideline.archiver.wal.flush-interval", flushInterval.toMillis() + "ms");
        p.put("tideline.archiver.wal.status-interval", "1s");
        p.put("tideline.archiver.wal.idle-poll", "100ms"); // as before issue 18's 1 s default: the ITs' timing
        p.put("tideline.archiver.wal.retry-initial-delay", "200ms");
        p.put("tideline.archiver.wal.retry-max-delay", "2s");
        p.put("tideline.archiver.wal.stop-timeout", "10s");
        p.put("kafka.consumers." + groupId + ".session.timeout.ms", "6000");
        p.put("kafka.consumers." + groupId + ".heartbeat.interval.ms", "1000");
        return p;
    }

    ApplicationContext startArchiver(Duration flushInterval) {
        return startArchiver(archiverProperties(flushInterval));
    }

    ApplicationContext startArchiver(Map<String, Object> properties) {
        ApplicationContext context = ApplicationContext.run(properties);
        contexts.add(context);
        return context;
    }

    void stop(ApplicationContext context) {
        contexts.remove(context);
        context.close();
    }

    /**
     * A new instance with {@code segmentSize} WAL segments: server and bucket made by the same
     * provisioners, registered by the same step as {@code tideline instance create} (which itself
     * only makes default 16 MB segments). Its server keeps WAL around for comparison
     * ({@code wal_keep_size}), so every segment can be checked against the server's own file.
     */
    RegisteredInstance createInstance(String prefix, long segmentSize) throws SQLException {
        return createInstance(fleet.postgres().newId(prefix), segmentSize);
    }

    RegisteredInstance createInstance(InstanceId id, long segmentSize) throws SQLException {
        ProvisionedInstance server = fleet.postgres().provisioner().create(id, new InstanceSpec(segmentSize));
        instances.add(server.id());
        BucketGrant grant = fleet.storageProvisioner().provision(server.id());
        keepWal(server);
        return fleet.onboarding().register(server, grant, server.id().value(), InstanceOnboarding.Options.defaults(),
                Optional.empty(), Instant.now());
    }

    /** An instance registered by the test itself, removed with the others when the bed closes. */
    void track(InstanceId id) {
        instances.add(id);
    }

    /** The partition of {@code tideline.instances} an instance id lands on (Kafka's default partitioner). */
    static int partitionOf(InstanceId id, int partitions) {
        return KeyPartitioner.partitionOf(id.value(), partitions);
    }

    /** A new id per partition of the instances topic (3 partitions): one instance lands on each. */
    List<InstanceId> oneIdPerPartition(String prefix) {
        InstanceId[] ids = new InstanceId[3];
        int found = 0;
        while (found < 3) {
            InstanceId id = fleet.postgres().newId(prefix);
            int p = partitionOf(id, 3);
            if (ids[p] == null) {
                ids[p] = id;
                found++;
            }
        }
        return List.of(ids);
    }

    /** A default instance made exactly as {@code tideline instance create} makes it. */
    RegisteredInstance onboard(String prefix) throws SQLException {
        InstanceId id = fleet.postgres().newId(prefix);
        instances.add(id);
        RegisteredInstance made = fleet.onboarding().create(id, id.value(), InstanceOnboarding.Options.defaults());
        keepWal(fleet.postgres().provisioner().get(id));
        return made;
    }

    private void keepWal(ProvisionedInstance server) throws SQLException {
        try (Connection c = fleet.postgres().connect(server); Statement s = c.createStatement()) {
            s.execute("ALTER SYSTEM SET wal_keep_size = '2GB'");
            s.execute("SELECT pg_reload_conf()");
        }
    }

    Connection connect(RegisteredInstance instance) throws SQLException {
        return fleet.postgres().connect(fleet.postgres().provisioner().get(instance.id()));
    }

    /** Writes about {@code megabytes} of WAL in committed transactions. */
    static void workload(Connection c, int megabytes) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS load (id bigserial PRIMARY KEY, payload text)");
            for (int i = 0; i < megabytes; i++) {
                // ~1 MB of WAL per statement: 4,000 rows of ~200 bytes plus index entries
                s.execute("INSERT INTO load (payload) SELECT repeat(md5(g::text), 6) FROM generate_series(1, 4000) g");
            }
        }
    }

    static Lsn query(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return Lsn.parse(rs.getString(1));
        }
    }

    /** Ends the current segment, so that everything written so far is in complete segments; returns the end. */
    static Lsn switchWal(Connection c) throws SQLException {
        query(c, "SELECT pg_switch_wal()");
        return query(c, "SELECT pg_current_wal_flush_lsn()");
    }

    static long segmentSize(RegisteredInstance instance) {
        return instance.walSegmentSize();
    }

    ObjectStore bucket(RegisteredInstance instance) {
        return fleet.objectStores().forInstance(instance.id());
    }

    /** Complete segments in the bucket, by name. */
    Set<WalSegmentName> storedSegments(RegisteredInstance instance) {
        BucketLayout layout = BucketLayout.forSegmentSize(instance.walSegmentSize());
        Set<WalSegmentName> found = new TreeSet<>();
        for (StoredObject o : bucket(instance).list(layout.walPrefix())) {
            if (layout.parse(o.key()) instanceof ObjectKind.WalSegment s) {
                found.add(s.segment());
            }
        }
        return found;
    }

    /** Waits until every segment of {@code timeline} from {@code first} up to the one before {@code end} is stored complete. */
    void awaitStored(RegisteredInstance instance, long timeline, WalSegmentName first, Lsn end, Duration timeout) {
        WalSegmentName last = WalSegmentName.of(timeline, end.minus(1), instance.walSegmentSize());
        await().atMost(timeout).pollInterval(Duration.ofMillis(250)).until(() -> {
            Set<WalSegmentName> stored = storedSegments(instance);
            for (long n = first.segmentNo(); n <= last.segmentNo(); n++) {
                if (!stored.contains(new WalSegmentName(timeline, n, instance.walSegmentSize()))) {
                    return false;
                }
            }
            return true;
        });
    }

    /** The stored segment, checked against its sha256 and decompressed. */
    byte[] storedSegment(RegisteredInstance instance, WalSegmentName segment) {
        byte[] compressed = bucket(instance).getVerified(BucketLayout.forSegmentSize(instance.walSegmentSize()).walSegment(segment));
        // several frames when the segment was uploaded as a growing partial first: size from the segment, not the first frame
        return Zstd.decompress(compressed, (int) instance.walSegmentSize());
    }

    /** The server's own file of {@code segment} ({@code pg_wal/<name>}). */
    byte[] serverSegment(RegisteredInstance instance, WalSegmentName segment) {
        Path dir = fleet.postgres().provisioner().get(instance.id()).dataDir().resolve("pg_wal");
        try {
            return Files.readAllBytes(dir.resolve(segment.toString()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The slot's restart LSN as the server reports it. */
    Lsn slotRestart(RegisteredInstance instance) throws SQLException {
        try (Connection c = connect(instance)) {
            return query(c, "SELECT coalesce((SELECT restart_lsn FROM pg_replication_slots WHERE slot_name = 'tideline_archiver'), '0/0')");
        }
    }

    /** Events published for {@code instance} on the timeline and backup-command topics, in order. */
    List<SpecificRecord> events(InstanceId instance) {
        return List.copyOf(events.getOrDefault(instance, List.of()));
    }

    <T extends SpecificRecord> List<T> events(InstanceId instance, Class<T> type) {
        List<T> out = new ArrayList<>();
        for (SpecificRecord r : events(instance)) {
            if (type.isInstance(r)) {
                out.add(type.cast(r));
            }
        }
        return out;
    }

    private void watch() {
        Properties props = fleet.kafka().clientProperties();
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        try (KafkaConsumer<String, SpecificRecord> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new AvroEventDeserializer(EventCodec.standard()))) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : List.of(Topics.TIMELINE, Topics.BACKUP_COMMANDS)) {
                consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
            }
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position); // fix the start before anything of this test is published
            watcherReady.countDown();
            while (watching) {
                for (ConsumerRecord<String, SpecificRecord> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.key() != null && r.value() != null) {
                        try {
                            events.computeIfAbsent(InstanceId.of(r.key()), k -> new CopyOnWriteArrayList<>()).add(r.value());
                        } catch (IllegalArgumentException e) {
                            // another test's odd key
                        }
                    }
                }
            }
        } catch (RuntimeException e) {
            if (watching) {
                throw e;
            }
        }
    }

    /** Stops every archiver, unregisters and removes every instance this bed made. */
    @Override
    public void close() {
        for (ApplicationContext c : contexts) {
            try {
                c.close();
            } catch (RuntimeException e) {
                // the next one still gets closed
            }
        }
        contexts.clear();
        for (InstanceId id : instances) {
            try {
                fleet.onboarding().remove(id);
            } catch (RuntimeException e) {
                // removed by the test already
            }
            fleet.objectStores().evict(id);
        }
        watching = false;
        try {
            watcher.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
