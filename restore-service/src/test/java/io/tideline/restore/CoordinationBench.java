package io.tideline.restore;

import io.tideline.core.ids.InstanceId;
import io.tideline.core.kafka.EventPublisher;
import io.tideline.core.registry.RegisteredInstance;
import io.tideline.core.storage.ObjectStoreSettings;
import io.tideline.core.storage.ObjectStores;
import io.tideline.core.window.BucketInventory;
import io.tideline.schemas.RestoreRequested;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The restore service's coordination (intake, runner, heartbeat, sweep, cleanup) wired as Micronaut wires
 * it, on in-memory parts: a map for the registry, {@link InMemoryInstances}, {@link InMemoryBuckets},
 * {@link InMemorySecrets}, Kafka's {@link MockProducer} under the real {@link EventPublisher} (every record
 * kept, in order), an event log that is a list, and a {@link Restorer} the test supplies. No thread runs
 * until {@link #start}; nothing touches the network.
 */
final class CoordinationBench implements AutoCloseable {

    final Instant now;
    final RestoreConfiguration config;
    final Map<InstanceId, RegisteredInstance> registered = new ConcurrentHashMap<>();
    final InMemoryInstances instances = new InMemoryInstances();
    final InMemoryBuckets buckets = new InMemoryBuckets();
    final InMemorySecrets secrets = new InMemorySecrets();
    final MockProducer<String, SpecificRecord> producer =
            new MockProducer<>(true, null, new StringSerializer(), (topic, event) -> new byte[0]);
    /** What the event log holds beyond what this replica published (other replicas' events). */
    final List<SpecificRecord> logOfOthers = new CopyOnWriteArrayList<>();
    final RestoreLedger ledger = new RestoreLedger();
    final RestoreEvents events;
    final RestoreRunner runner;
    final ProgressHeartbeat heartbeat;
    final RequestPartitions partitions = new RequestPartitions();
    final AbandonedRestoreSweep sweep;
    final RestoreIntake intake;
    private final EventPublisher publisher = new EventPublisher(producer);
    private final ObjectStores stores;
    volatile BucketInventory sourceBucket = RestoreFixtures.twoBackupsAndAPartial();

    CoordinationBench(Instant now, int maxConcurrentRestores, Restorer restorer) {
        this.now = now;
        RestoreConfiguration d = RestoreConfiguration.defaults();
        // A progress interval the heartbeat's timer never reaches within a test: the tests beat by hand.
        config = new RestoreConfiguration(maxConcurrentRestores, d.downloadParallelism(), d.walPrefetch(), d.promotionTimeout(),
                Duration.ofSeconds(10), Duration.ZERO, d.curl(), d.abandonAfter(), d.walBaseUrl());
        Clock clock = Clock.fixed(now, ZoneOffset.UTC);
        FleetRegistry registry = new FleetRegistry() {
            @Override
            public Optional<RegisteredInstance> find(InstanceId id) {
                return Optional.ofNullable(registered.get(id));
            }

            @Override
            public Optional<RegisteredInstance> findByName(String name) {
                return registered.values().stream().filter(i -> i.name().equals(name)).findFirst();
            }

            @Override
            public boolean awaitCaughtUp(Duration timeout) {
                return true;
            }
        };
        // Never opened: HalfMadeInstances only evicts from it, and nothing was cached.
        stores = new ObjectStores(ObjectStoreSettings.defaults(URI.create("http://127.0.0.1:9")), secrets, clock);
        HalfMadeInstances halfMade = new HalfMadeInstances(instances, buckets, stores, registry, publisher);
        events = new RestoreEvents(publisher, ledger, clock,
                new RestoreMetrics(new io.micrometer.core.instrument.simple.SimpleMeterRegistry()));
        runner = new RestoreRunner(config, restorer, events, clock);
        heartbeat = runner.heartbeat();
        RestoreEventLog log = (into, timeout) -> {
            logOfOthers.forEach(into::apply);
            return 1; // one request partition
        };
        // The local platform's removal (the bench never recovers anything: its restorer is held).
        InstancePlatform platform = new LocalInstancePlatform(null, instances);
        sweep = new AbandonedRestoreSweep(config, log, ledger, partitions, runner,
                new AbandonedRestoreCleanup(registry, halfMade, events, platform), clock);
        FleetView fleet = new FleetView(config, registry, instances, runner, ledger);
        intake = new RestoreIntake(fleet, source -> sourceBucket, TargetFacts.none(), ledger, events, runner, clock, platform);
    }

    /** Starts the runner (its heartbeat's timer does not fire within a test); the sweep's timer is not started. */
    CoordinationBench start() {
        runner.start();
        return this;
    }

    void request(String restoreId, String source, String target) {
        intake.handle(source, RestoreRequested.newBuilder()
                .setEventId(UUID.randomUUID())
                .setInstanceId(source)
                .setOccurredAt(now)
                .setRestoreId(restoreId)
                .setTarget(target)
                .setRequestedBy("alice")
                .build());
    }

    /** The values published, in order (a tombstone is null). */
    List<ProducerRecord<String, SpecificRecord>> published() {
        return producer.history();
    }

    /** The published values of one type, in order. */
    <T> List<T> published(Class<T> type) {
        List<T> found = new ArrayList<>();
        for (ProducerRecord<String, SpecificRecord> r : producer.history()) {
            if (type.isInstance(r.value())) {
                found.add(type.cast(r.value()));
            }
        }
        return found;
    }

    @Override
    public void close() {
        runner.stop();
        sweep.stop();
        stores.close();
    }
}
