package io.tideline.restore;

import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import io.tideline.core.ids.InstanceId;
import io.tideline.core.kafka.Topics;
import io.tideline.core.registry.InstanceOnboarding;
import io.tideline.core.registry.RegisteredInstance;
import io.tideline.schemas.RestoreRequested;
import io.tideline.schemas.serde.EventCodec;
import io.tideline.testkit.Fleet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.awaitility.Awaitility;
import software.amazon.awssdk.services.s3.model.Bucket;

/**
 * What the restore ITs share: the real fleet, a restore service (Micronaut context with its HTTP server)
 * in a group of this test's own, a watcher of the topics a restore writes to, and helpers to ask for
 * restores and to see what exists.
 */
final class RestoreTestBed implements AutoCloseable {

    static final List<String> WATCHED = List.of(Topics.RESTORE_EVENTS, Topics.INSTANCES, Topics.BACKUP_COMMANDS, Topics.DEAD_LETTERS,
            Topics.TIMELINE);

    final Fleet fleet;
    final String groupId = "it-restore-" + UUID.randomUUID();
    private final List<EmbeddedServer> servers = new CopyOnWriteArrayList<>();
    private final List<ConsumerRecord<String, SpecificRecord>> seen = new CopyOnWriteArrayList<>();
    private final List<InstanceId> sources = new CopyOnWriteArrayList<>();
    private final Thread watcher;
    private final CountDownLatch watching = new CountDownLatch(1);
    private volatile boolean running = true;

    RestoreTestBed(Fleet fleet) {
        this.fleet = fleet;
        fleet.kafka().createTopic(Topics.INSTANCES, 3, Map.of("cleanup.policy", "compact"));
        for (String topic : List.of(Topics.RESTORE_REQUESTS, Topics.RESTORE_EVENTS, Topics.BACKUP_COMMANDS, Topics.DEAD_LETTERS, Topics.TIMELINE)) {
            fleet.kafka().createTopic(topic, 3, Map.of());
        }
        watcher = new Thread(this::watch, "it-restore-watcher");
        watcher.setDaemon(true);
        watcher.start();
        try {
            if (!watching.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the topic watcher did not start");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Properties of a restore service replica of this test: quick progress, quick rebalances. */
    Map<String, Object> properties() {
        Map<String, Object> p = new HashMap<>(fleet.serviceProperties());
        p.put("spec.name", "RestoreIT");
        p.put("micronaut.server.host", "127.0.0.1");
        p.put(RestoreConfiguration.PREFIX + ".group-id", groupId);
        p.put(RestoreConfiguration.PREFIX + ".progress-interval", "500ms");
        p.put(RestoreConfiguration.PREFIX + ".abandon-after", "3s");
        p.put(RestoreConfiguration.PREFIX + ".promotion-timeout", "3m");
        p.put(RestoreConfiguration.PREFIX + ".registry-wait", "1s");
        p.put("kafka.consumers." + groupId + ".session.timeout.ms", "6000");
        p.put("kafka.consumers." + groupId + ".heartbeat.interval.ms", "1000");
        return p;
    }

    EmbeddedServer startService() {
        return startService(properties());
    }

    EmbeddedServer startService(Map<String, Object> properties) {
        EmbeddedServer server = ApplicationContext.run(EmbeddedServer.class, properties);
        servers.add(server);
        return server;
    }

    void stop(EmbeddedServer server) {
        servers.remove(server);
        server.getApplicationContext().close();
    }

    /** A source instance made exactly as {@code tideline instance create} makes it. */
    RegisteredInstance createSource(String prefix) {
        return createSource(prefix, InstanceOnboarding.Options.defaults());
    }

    RegisteredInstance createSource(String prefix, InstanceOnboarding.Options options) {
        InstanceId id = fleet.postgres().newId(prefix);
        sources.add(id);
        return fleet.onboarding().create(id, id.value(), options);
    }

    String request(InstanceId source, String target, String newName) {
        return request(source.value(), target, newName, UUID.randomUUID().toString());
    }

    String request(String source, String target, String newName, String restoreId) {
        return request(source, target, false, newName, restoreId);
    }

    /** A request with {@code exclusive} set (stop just before the target's transaction). */
    String requestExclusive(InstanceId source, String target) {
        return request(source.value(), target, true, null, UUID.randomUUID().toString());
    }

    String request(String source, String target, boolean exclusive, String newName, String restoreId) {
        RestoreRequested event = RestoreRequested.newBuilder()
                .setEventId(UUID.randomUUID())
                .setInstanceId(source)
                .setOccurredAt(Instant.now())
                .setRestoreId(restoreId)
                .setTarget(target)
                .setNewName(newName)
                .setRequestedBy("restore-it")
                .setExclusive(exclusive)
                .build();
        fleet.publisher().publishAndWait(Topics.RESTORE_REQUESTS, source, event);
        return restoreId;
    }

    /** Records of {@code topic} seen so far whose value matches. */
    List<SpecificRecord> records(String topic, Predicate<SpecificRecord> which) {
        return seen.stream().filter(r -> r.topic().equals(topic) && r.value() != null && which.test(r.value()))
                .map(ConsumerRecord::value).toList();
    }

    List<ConsumerRecord<String, SpecificRecord>> raw(String topic) {
        return seen.stream().filter(r -> r.topic().equals(topic)).toList();
    }

    /** Events of one restore, in order. */
    List<SpecificRecord> eventsOf(String restoreId) {
        return records(Topics.RESTORE_EVENTS, v -> restoreId.equals(String.valueOf(v.get(v.getSchema().getField("restoreId").pos()))));
    }

    <T extends SpecificRecord> List<T> eventsOf(String restoreId, Class<T> type) {
        return eventsOf(restoreId).stream().filter(type::isInstance).map(type::cast).toList();
    }

    /** Waits for the restore's first event of {@code type}. */
    <T extends SpecificRecord> T await(String restoreId, Class<T> type, Duration timeout) {
        Awaitility.await().atMost(timeout).pollInterval(Duration.ofMillis(200))
                .until(() -> !eventsOf(restoreId, type).isEmpty() || finishedOtherwise(restoreId, type));
        List<T> found = eventsOf(restoreId, type);
        if (found.isEmpty()) {
            throw new AssertionError("restore " + restoreId + " ended without " + type.getSimpleName() + ": " + eventsOf(restoreId));
        }
        return found.get(0);
    }

    private boolean finishedOtherwise(String restoreId, Class<?> wanted) {
        return eventsOf(restoreId).stream().anyMatch(e -> !wanted.isInstance(e)
                && Set.of("RestoreRejected", "RestoreCompleted", "RestoreFailed").contains(e.getClass().getSimpleName()));
    }

    /** Instance directories under the fleet's home: what the local provisioner has made. */
    Set<String> instanceDirs() {
        return childNames(fleet.postgres().home().resolve("instances"));
    }

    /** The instances that have a directory under the fleet's secrets directory ({@code secrets/instances/<id>/}). */
    Set<String> secretDirs() {
        return childNames(Path.of(String.valueOf(fleet.serviceProperties().get(io.tideline.platform.local.FleetConfiguration.SECRETS_DIR)))
                .resolve("instances"));
    }

    private static Set<String> childNames(Path dir) {
        if (!Files.isDirectory(dir)) {
            return Set.of();
        }
        try (Stream<Path> list = Files.list(dir)) {
            return list.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    Set<String> buckets() {
        return fleet.s3().adminClient().listBuckets().buckets().stream().map(Bucket::name).collect(Collectors.toSet());
    }

    @Override
    public void close() {
        new ArrayList<>(servers).forEach(this::stop);
        running = false;
        try {
            watcher.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (InstanceId id : sources) {
            try {
                fleet.onboarding().remove(id);
            } catch (RuntimeException e) {
                // best effort: the testkit removes every cluster of the run at the end anyway
            }
        }
    }

    private void watch() {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, fleet.kafka().bootstrapServers());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        EventCodec codec = EventCodec.standard();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props)) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : WATCHED) {
                consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
            }
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position);
            watching.countDown();
            while (running) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    SpecificRecord value = null;
                    if (r.value() != null) {
                        try {
                            value = codec.decode(r.value());
                        } catch (RuntimeException e) {
                            continue;
                        }
                    }
                    seen.add(new ConsumerRecord<>(r.topic(), r.partition(), r.offset(), r.key(), value));
                }
            }
        }
    }
}
