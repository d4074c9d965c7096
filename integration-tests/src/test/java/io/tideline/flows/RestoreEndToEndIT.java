package io.tideline.flows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import io.tideline.core.ids.InstanceId;
import io.tideline.core.instance.ProvisionedInstance;
import io.tideline.core.inventory.BucketInventoryReader;
import io.tideline.core.kafka.Topics;
import io.tideline.core.registry.InstanceOnboarding;
import io.tideline.core.registry.InstanceRegistry;
import io.tideline.core.registry.RegisteredInstance;
import io.tideline.core.secrets.SecretRef;
import io.tideline.core.storage.BucketLayout;
import io.tideline.core.wal.Lsn;
import io.tideline.core.window.RestorableWindow;
import io.tideline.core.window.WalEntry;
import io.tideline.schemas.BackupCommand;
import io.tideline.schemas.BackupCompleted;
import io.tideline.schemas.BackupReason;
import io.tideline.schemas.RestoreCompleted;
import io.tideline.schemas.RestoreFailed;
import io.tideline.schemas.RestoreRejected;
import io.tideline.schemas.RestoreRequested;
import io.tideline.schemas.serde.EventCodec;
import io.tideline.testkit.Fleet;
import io.tideline.testkit.FleetExtension;
import java.sql.Connection;
import java.sql.DriverManager;
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
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Restore with every service in one context, as the embedded runtime runs them: the ARCHIVER streams the
 * source's WAL and takes its base backup; the restore service restores {@code latest} — through the
 * archiver's partial segment — into a new instance, registers it, and the archiver then streams the new
 * instance and completes its first base backup, so the restored instance is itself restorable.
 */
@Tag("flow")
@ExtendWith(FleetExtension.class)
class RestoreEndToEndIT {

    private final List<ConsumerRecord<String, SpecificRecord>> seen = new CopyOnWriteArrayList<>();
    private volatile boolean watching = true;

    @Test
    void latestThroughTheArchiversPartialAndTheRestoredInstanceIsBackedUpInTurn(Fleet fleet) throws Exception {
        Map<String, Object> props = new HashMap<>(fleet.serviceProperties());
        props.put("micronaut.server.host", "127.0.0.1");
        props.put("tideline.archiver.wal.flush-interval", "1s");
        props.put("tideline.restore.group-id", "e2e-restore-" + UUID.randomUUID());
        props.put("tideline.archiver.group-id", "e2e-archiver-" + UUID.randomUUID());
        props.put("tideline.retention.enabled", false);
        Thread watcher = new Thread(() -> watch(fleet), "e2e-watcher");
        watcher.setDaemon(true);
        try (EmbeddedServer runtime = ApplicationContext.run(EmbeddedServer.class, props)) {
            watcher.start();
            ApplicationContext context = runtime.getApplicationContext();
            InstanceId sourceId = fleet.postgres().newId("e2e");
            RegisteredInstance source = fleet.onboarding().create(sourceId, sourceId.value(), InstanceOnboarding.Options.defaults());
            ProvisionedInstance pg = fleet.postgres().provisioner().get(sourceId);
            try (Connection db = fleet.postgres().connect(pg); Statement st = db.createStatement()) {
                st.execute("CREATE TABLE orders (id int PRIMARY KEY, note text)");
                st.execute("ALTER TABLE orders OWNER TO " + pg.ownerUser()); // the tenant's data: its restored role reads it
                st.execute("INSERT INTO orders SELECT g, 'before the backup' FROM generate_series(1, 5000) g");
            }

            String command = "e2e-" + UUID.randomUUID();
            fleet.publisher().publishAndWait(Topics.BACKUP_COMMANDS, sourceId.value(), BackupCommand.newBuilder()
                    .setEventId(UUID.randomUUID()).setInstanceId(sourceId.value()).setOccurredAt(Instant.now())
                    .setCommandId(command).setReason(BackupReason.ON_DEMAND).setRequestedBy("e2e").setRequestedAt(Instant.now()).build());
            awaitRecord(Topics.TIMELINE, v -> v instanceof BackupCompleted c && c.getCommandId().equals(command), Duration.ofMinutes(3));

            Lsn last;
            try (Connection db = fleet.postgres().connect(pg); Statement st = db.createStatement()) {
                st.execute("INSERT INTO orders SELECT g, 'after the backup' FROM generate_series(5001, 5300) g");
                last = currentLsn(st);
            }
            // latest = what the archiver has stored: wait until its partial reaches the last commit.
            BucketInventoryReader reader = new BucketInventoryReader(BucketLayout.DEFAULT);
            Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() ->
                    reader.read(fleet.objectStores().forInstance(sourceId)).inventory().wal().stream()
                            .anyMatch(w -> w.partial() && !w.endLsn().isBefore(last)));
            assertTrue(reader.read(fleet.objectStores().forInstance(sourceId)).inventory().wal().stream()
                    .filter(w -> w.segment().contains(last.minus(1))).allMatch(WalEntry::partial),
                    "the last commit is only in the archiver's partial segment");

            String restoreId = UUID.randomUUID().toString();
            fleet.publisher().publishAndWait(Topics.RESTORE_REQUESTS, sourceId.value(), RestoreRequested.newBuilder()
                    .setEventId(UUID.randomUUID()).setInstanceId(sourceId.value()).setOccurredAt(Instant.now())
                    .setRestoreId(restoreId).setTarget("latest").setNewName(null).setRequestedBy("e2e").build());
            SpecificRecord end = awaitRecord(Topics.RESTORE_EVENTS, v -> restoreId.equals(restoreIdOf(v))
                    && (v instanceof RestoreCompleted || v instanceof RestoreFailed || v instanceof RestoreRejected), Duration.ofMinutes(3));
            RestoreCompleted done = (RestoreCompleted) assertInstanceOfWithMessage(RestoreCompleted.class, end);
            InstanceId restored = InstanceId.of(done.getNewInstanceId());
            try (Connection copy = DriverManager.getConnection("jdbc:postgresql://" + done.getHost() + ":" + done.getPort() + "/"
                    + done.getDatabase(), done.getUser(), fleet.postgres().secrets().get(SecretRef.of(done.getSecretRef())));
                 Statement st = copy.createStatement()) {
                assertEquals(5300, count(st, "SELECT count(*) FROM orders"), "latest holds the commit only the partial segment had");
                assertEquals(300, count(st, "SELECT count(*) FROM orders WHERE note = 'after the backup'"));
            }

            InstanceRegistry registry = context.getBean(InstanceRegistry.class);
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> registry.find(restored).isPresent());
            RegisteredInstance registered = registry.find(restored).orElseThrow();
            assertEquals(Optional.of(new RegisteredInstance.Origin(sourceId, restoreId)), registered.restoredFrom());

            // The archiver picks the new instance up from its registration and takes the first backup asked for.
            BackupCompleted first = (BackupCompleted) awaitRecord(Topics.TIMELINE, v -> v instanceof BackupCompleted c
                    && c.getInstanceId().equals(restored.value()) && c.getCommandId().equals("restore:" + restoreId), Duration.ofMinutes(3));
            assertEquals(2, first.getTimeline(), "the restored instance is backed up on its own new timeline");
            Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).until(() ->
                    !RestorableWindow.of(reader.read(fleet.objectStores().forInstance(restored)).inventory()).isEmpty());

            try (Connection db = fleet.postgres().connect(pg); Statement st = db.createStatement()) {
                assertEquals(5300, count(st, "SELECT count(*) FROM orders"), "the source is untouched");
            }
            assertEquals(source.id(), sourceId);
        } finally {
            watching = false;
            watcher.join(5_000);
        }
    }

    private static Object assertInstanceOfWithMessage(Class<?> type, SpecificRecord value) {
        assertTrue(type.isInstance(value), "expected " + type.getSimpleName() + " but got " + value);
        return value;
    }

    private static String restoreIdOf(SpecificRecord v) {
        var field = v.getSchema().getField("restoreId");
        return field == null ? null : String.valueOf(v.get(field.pos()));
    }

    private SpecificRecord awaitRecord(String topic, java.util.function.Predicate<SpecificRecord> which, Duration timeout) {
        Awaitility.await().atMost(timeout).pollInterval(Duration.ofMillis(250))
                .until(() -> seen.stream().anyMatch(r -> r.topic().equals(topic) && r.value() != null && which.test(r.value())));
        return seen.stream().filter(r -> r.topic().equals(topic) && r.value() != null && which.test(r.value()))
                .findFirst().orElseThrow().value();
    }

    private void watch(Fleet fleet) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, fleet.kafka().bootstrapServers());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        EventCodec codec = EventCodec.standard();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p)) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : List.of(Topics.TIMELINE, Topics.RESTORE_EVENTS)) {
                consumer.partitionsFor(topic).forEach(i -> partitions.add(new TopicPartition(topic, i.partition())));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (watching) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    try {
                        seen.add(new ConsumerRecord<>(r.topic(), r.partition(), r.offset(), r.key(),
                                r.value() == null ? null : codec.decode(r.value())));
                    } catch (RuntimeException e) {
                        // not ours to judge here
                    }
                }
            }
        }
    }

    private static Lsn currentLsn(Statement st) throws SQLException {
        try (ResultSet rs = st.executeQuery("SELECT pg_current_wal_lsn()::text")) {
            rs.next();
            return Lsn.parse(rs.getString(1));
        }
    }

    private static long count(Statement st, String sql) throws SQLException {
        try (ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
