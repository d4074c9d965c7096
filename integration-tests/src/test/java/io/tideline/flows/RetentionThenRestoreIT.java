package io.tideline.flows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import io.tideline.core.ids.BackupId;
import io.tideline.core.ids.InstanceId;
import io.tideline.core.instance.ProvisionedInstance;
import io.tideline.core.inventory.BucketInventoryReader;
import io.tideline.core.kafka.TopicCreator;
import io.tideline.core.kafka.Topics;
import io.tideline.core.kafka.TopicsConfiguration;
import io.tideline.core.registry.InstanceOnboarding;
import io.tideline.core.secrets.SecretRef;
import io.tideline.core.storage.BucketLayout;
import io.tideline.core.storage.ObjectKind;
import io.tideline.core.storage.ObjectStore;
import io.tideline.core.storage.StoredObject;
import io.tideline.core.wal.Lsn;
import io.tideline.core.window.RestorableWindow;
import io.tideline.schemas.ArtifactsExpired;
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
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
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
 * Retention and restore together, all four services in one context against real PostgreSQL, Kafka and
 * S3, with a retention of one minute so real time does the expiring (issue 7's last "done when"):
 * several base backups with WAL switches and rows between them; once the second backup is older than the
 * retention, the first goes with the WAL before the second's start, {@code ArtifactsExpired} says so, and
 * a restore to the oldest moment of the remaining window holds exactly the rows committed before it.
 */
@Tag("flow")
@ExtendWith(FleetExtension.class)
class RetentionThenRestoreIT {

    private static final Duration PERIOD = Duration.ofSeconds(60);
    /** Between the kept backup and the next one, so no expiry run can already find the next one older than the retention. */
    private static final Duration GAP_AFTER_KEPT = Duration.ofSeconds(20);
    private static final Duration BACKUP_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration RESTORE_TIMEOUT = Duration.ofMinutes(2);
    private static final BucketLayout LAYOUT = BucketLayout.DEFAULT;

    @Test
    void theOldestMomentLeftByRetentionIsStillRestorable(Fleet fleet) throws Exception {
        try (Admin admin = fleet.kafka().adminClient()) {
            new TopicCreator(admin, Duration.ofSeconds(30)).ensure(Topics.specs(TopicsConfiguration.defaults()));
        }
        Map<String, Object> props = new HashMap<>(fleet.serviceProperties());
        props.put("spec.name", "RetentionThenRestoreIT");
        props.put("micronaut.server.host", "127.0.0.1");
        props.put("tideline.retention.period", PERIOD.toSeconds() + "s");
        props.put("tideline.retention.interval", "5s");
        props.put("tideline.archiver.wal.flush-interval", "1s");

        try (Events events = new Events(fleet.kafka().bootstrapServers());
             EmbeddedServer server = ApplicationContext.run(EmbeddedServer.class, props)) {
            InstanceId id = fleet.postgres().newId("keep");
            fleet.onboarding().create(id, "orders", InstanceOnboarding.Options.defaults());
            ProvisionedInstance pg = fleet.postgres().provisioner().get(id);
            ObjectStore store = fleet.objectStores().forInstance(id);
            List<Batch> batches = new ArrayList<>();

            try (Connection db = fleet.postgres().connect(pg)) {
                exec(db, "CREATE TABLE items (batch int NOT NULL, n int NOT NULL, payload text)");
                exec(db, "ALTER TABLE items OWNER TO " + pg.ownerUser()); // the tenant's data: its restored role reads it
                batches.add(batch(db, 0, 500));
                BackupCompleted b1 = backup(fleet, events, id);

                exec(db, "SELECT pg_switch_wal()");
                batches.add(batch(db, 1, 2_000));
                exec(db, "SELECT pg_switch_wal()");
                BackupCompleted b2 = backup(fleet, events, id);

                // Rows well after b2 became consistent: the restore to just after the window's start must not have them.
                Thread.sleep(3_000);
                batches.add(batch(db, 2, 1_000));
                exec(db, "SELECT pg_switch_wal()");
                sleepUntil(b2.getFinishedAt().plus(GAP_AFTER_KEPT));
                batches.add(batch(db, 3, 700));
                exec(db, "SELECT pg_switch_wal()");
                BackupCompleted b3 = backup(fleet, events, id);
                batches.add(batch(db, 4, 300));

                // Every backup completed before b2 (b1, and the first backup the scheduler asked for at registration).
                Set<String> older = events.all(BackupCompleted.class, c -> c.getInstanceId().equals(id.value())
                                && c.getFinishedAt().isBefore(b2.getFinishedAt()))
                        .stream().map(BackupCompleted::getBackupId).collect(Collectors.toCollection(TreeSet::new));
                assertTrue(older.contains(b1.getBackupId()), older.toString());

                // b2 passes the cutoff about PERIOD after it finished; a periodic run (every 5 s) expires what is older.
                ArtifactsExpired expired = Awaitility.await()
                        .atMost(Duration.between(Instant.now(), b2.getFinishedAt().plus(PERIOD).plusSeconds(40)))
                        .pollInterval(Duration.ofMillis(500))
                        .until(() -> events.all(ArtifactsExpired.class, e -> e.getInstanceId().equals(id.value())
                                && !e.getExpiredBackupIds().isEmpty()).stream().findFirst(), Optional::isPresent)
                        .orElseThrow();
                assertEquals(b2.getBackupId(), expired.getKeptBackupId(), expired.toString());
                assertEquals(older, new TreeSet<>(expired.getExpiredBackupIds()), expired.toString());
                assertFalse(expired.getExpiredWal().isEmpty(), "WAL before b2's start expired: " + expired);

                // The bucket holds what the rule keeps: b2 and newer with their WAL, nothing older.
                Set<String> keys = keys(store);
                for (String gone : older) {
                    BackupId backup = BackupId.parse(gone);
                    assertTrue(keys.stream().noneMatch(k -> k.startsWith(LAYOUT.backupPrefix(backup))), "expired " + gone + ": " + keys);
                }
                Lsn keptStart = Lsn.parse(b2.getStartLsn());
                List<String> walBefore = keys.stream().filter(k -> LAYOUT.parse(k) instanceof ObjectKind.WalSegment s
                        && !s.segment().endLsn().isAfter(keptStart)).toList();
                assertEquals(List.of(), walBefore, "no WAL wholly before the kept backup's start");
                for (BackupCompleted kept : List.of(b2, b3)) {
                    BackupId backup = BackupId.parse(kept.getBackupId());
                    assertTrue(keys.contains(kept.getManifestKey()), "kept " + kept.getBackupId() + ": " + keys);
                    assertTrue(keys.stream().anyMatch(k -> LAYOUT.parse(k) instanceof ObjectKind.BackupPart p
                            && p.backupId().equals(backup)), "parts of " + kept.getBackupId() + ": " + keys);
                }
                assertTrue(keys.stream().anyMatch(k -> LAYOUT.parse(k) instanceof ObjectKind.WalSegment s
                        && s.segment().startLsn().compareTo(keptStart) <= 0 && s.segment().endLsn().isAfter(keptStart)),
                        "the segment holding b2's start stays: " + keys);

                // The window as the restore service reads it now starts at b2; just after its start lies before batch 2.
                RestorableWindow window = RestorableWindow.of(new BucketInventoryReader(LAYOUT).read(store).inventory());
                Instant from = window.from().orElseThrow();
                assertFalse(window.isRestorable(b1.getFinishedAt()), "b1's moment left the window: " + window);
                // The event's times are milliseconds, the manifest's (hence the window's) finer.
                assertEquals(b2.getFinishedAt(), from.truncatedTo(ChronoUnit.MILLIS), "the window starts where b2 became consistent: " + window);
                Instant target = from.plusSeconds(1).truncatedTo(ChronoUnit.MILLIS);
                assertTrue(window.isRestorable(target), window.toString());
                Map<Integer, Integer> expected = new TreeMap<>();
                for (Batch b : batches) {
                    assertTrue(b.committedBy().isBefore(target) || b.startedAt().isAfter(target),
                            "batch " + b.number() + " lies on one side of " + target);
                    if (b.committedBy().isBefore(target)) {
                        expected.put(b.number(), b.rows());
                    }
                }
                assertEquals(Set.of(0, 1), expected.keySet(), "the oldest moment has the rows before b2");

                String restoreId = UUID.randomUUID().toString();
                fleet.publisher().publishAndWait(Topics.RESTORE_REQUESTS, id.value(), RestoreRequested.newBuilder()
                        .setEventId(UUID.randomUUID()).setInstanceId(id.value()).setOccurredAt(Instant.now())
                        .setRestoreId(restoreId).setTarget(target.toString()).setNewName(null)
                        .setRequestedBy("retention-then-restore-it").build());
                Awaitility.await().atMost(RESTORE_TIMEOUT).pollInterval(Duration.ofMillis(500)).until(() ->
                        !events.all(SpecificRecord.class, e -> isOf(e, restoreId)).stream()
                                .filter(e -> e instanceof RestoreCompleted || e instanceof RestoreFailed || e instanceof RestoreRejected)
                                .toList().isEmpty());
                List<SpecificRecord> outcome = events.all(SpecificRecord.class, e -> isOf(e, restoreId));
                RestoreCompleted done = outcome.stream().filter(RestoreCompleted.class::isInstance).map(RestoreCompleted.class::cast)
                        .findFirst().orElseThrow(() -> new AssertionError("restore did not complete: " + outcome));
                try (Connection restored = DriverManager.getConnection(
                        "jdbc:postgresql://" + done.getHost() + ":" + done.getPort() + "/" + done.getDatabase(),
                        done.getUser(), fleet.postgres().secrets().get(SecretRef.of(done.getSecretRef())))) {
                    assertEquals(expected, countsByBatch(restored), "exactly the rows committed before " + target);
                }
            }
        }
    }

    // ---------------------------------------------------------------------------------------------

    private record Batch(int number, int rows, Instant startedAt, Instant committedBy) {
    }

    /** Inserts one batch in one transaction; the server's clock before it began and after it committed. */
    private static Batch batch(Connection db, int number, int rows) throws SQLException {
        Instant startedAt = serverTime(db);
        db.setAutoCommit(false);
        try (PreparedStatement ps = db.prepareStatement(
                "INSERT INTO items (batch, n, payload) SELECT ?, g, repeat(md5(g::text), 4) FROM generate_series(1, ?) g")) {
            ps.setInt(1, number);
            ps.setInt(2, rows);
            ps.executeUpdate();
        }
        db.commit();
        db.setAutoCommit(true);
        return new Batch(number, rows, startedAt, serverTime(db));
    }

    private static Instant serverTime(Connection db) throws SQLException {
        try (Statement st = db.createStatement(); ResultSet rs = st.executeQuery("SELECT clock_timestamp()")) {
            rs.next();
            return rs.getObject(1, OffsetDateTime.class).toInstant();
        }
    }

    /** Asks the archiver for a base backup and waits until it is complete and restorable. */
    private static BackupCompleted backup(Fleet fleet, Events events, InstanceId id) {
        String commandId = UUID.randomUUID().toString();
        Instant now = Instant.now();
        fleet.publisher().publishAndWait(Topics.BACKUP_COMMANDS, id.value(), BackupCommand.newBuilder()
                .setEventId(UUID.randomUUID()).setInstanceId(id.value()).setOccurredAt(now).setCommandId(commandId)
                .setReason(BackupReason.ON_DEMAND).setRequestedBy("retention-then-restore-it").setRequestedAt(now).build());
        return Awaitility.await().atMost(BACKUP_TIMEOUT).pollInterval(Duration.ofMillis(300))
                .until(() -> events.all(BackupCompleted.class, c -> c.getCommandId().equals(commandId)).stream().findFirst(),
                        Optional::isPresent)
                .orElseThrow();
    }

    private static boolean isOf(SpecificRecord e, String restoreId) {
        var field = e.getSchema().getField("restoreId");
        return field != null && restoreId.equals(String.valueOf(e.get(field.pos())));
    }

    private static Map<Integer, Integer> countsByBatch(Connection db) throws SQLException {
        Map<Integer, Integer> counts = new TreeMap<>();
        try (Statement st = db.createStatement();
             ResultSet rs = st.executeQuery("SELECT batch, count(*) FROM items GROUP BY batch ORDER BY batch")) {
            while (rs.next()) {
                counts.put(rs.getInt(1), rs.getInt(2));
            }
        }
        return counts;
    }

    private static Set<String> keys(ObjectStore store) {
        return store.list("").stream().map(StoredObject::key).collect(Collectors.toCollection(TreeSet::new));
    }

    private static void exec(Connection db, String sql) throws SQLException {
        try (Statement st = db.createStatement()) {
            st.execute(sql);
        }
    }

    private static void sleepUntil(Instant t) throws InterruptedException {
        long ms = Duration.between(Instant.now(), t).toMillis();
        if (ms > 0) {
            Thread.sleep(ms);
        }
    }

    /** Everything on the timeline and restore-events topics from their beginning, read on demand. */
    private static final class Events implements AutoCloseable {
        private final KafkaConsumer<String, byte[]> consumer;
        private final EventCodec codec = EventCodec.standard();
        private final List<SpecificRecord> seen = new ArrayList<>();

        Events(String bootstrap) {
            consumer = new KafkaConsumer<>(Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                    ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                    ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName(),
                    ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false"));
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : List.of(Topics.TIMELINE, Topics.RESTORE_EVENTS)) {
                consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
        }

        synchronized <T> List<T> all(Class<T> type, Predicate<T> which) {
            for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                if (r.value() != null) {
                    seen.add(codec.decode(r.value()));
                }
            }
            return seen.stream().filter(type::isInstance).map(type::cast).filter(which).toList();
        }

        @Override
        public synchronized void close() {
            consumer.close();
        }
    }
}
