package io.tideline.retention;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micronaut.context.ApplicationContext;
import io.tideline.core.changes.ChangeIndex;
import io.tideline.core.ids.BackupId;
import io.tideline.core.ids.InstanceId;
import io.tideline.core.inventory.BucketInventoryReader;
import io.tideline.core.kafka.TopicCreator;
import io.tideline.core.kafka.Topics;
import io.tideline.core.kafka.TopicsConfiguration;
import io.tideline.core.registry.InstanceOnboarding;
import io.tideline.core.restore.RestorePoint;
import io.tideline.core.restore.RestorePoints;
import io.tideline.core.storage.BucketLayout;
import io.tideline.core.storage.ObjectKind;
import io.tideline.core.storage.ObjectStore;
import io.tideline.core.storage.StoredObject;
import io.tideline.core.wal.WalSegmentName;
import io.tideline.core.window.RestorableWindow;
import io.tideline.retention.run.RetentionService;
import io.tideline.retention.run.RunOutcome;
import io.tideline.schemas.ArtifactsExpired;
import io.tideline.schemas.RestoreAccepted;
import io.tideline.schemas.RestoreCompleted;
import io.tideline.schemas.WalRange;
import io.tideline.schemas.serde.EventCodec;
import io.tideline.testkit.BucketSeeder;
import io.tideline.testkit.Fleet;
import io.tideline.testkit.FleetExtension;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The retention service against real PostgreSQL, Kafka and S3, with a retention of one minute so real
 * time does the expiring. Two instances get the same history of seeded backups and WAL; one of them has
 * a restore running from its oldest backup. Runs are triggered by {@code BackupCompleted} only (the
 * periodic interval is an hour), so what happens when is the test's doing.
 */
@ExtendWith(FleetExtension.class)
class RetentionIT {

    private static final Duration PERIOD = Duration.ofSeconds(60);
    private static final Duration ORPHAN_AGE = Duration.ofSeconds(20);
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final BucketLayout LAYOUT = BucketLayout.DEFAULT;

    private final EventCodec codec = EventCodec.standard();

    @Test
    void expiresExactlyWhatLeavesTheWindowAndNothingARunningRestoreUses(Fleet fleet) throws Exception {
        try (Admin admin = fleet.kafka().adminClient()) {
            new TopicCreator(admin, Duration.ofSeconds(30)).ensure(Topics.specs(TopicsConfiguration.defaults()));
        }
        InstanceId a = fleet.postgres().newId("keep-a");
        InstanceId p = fleet.postgres().newId("restoring-p");
        fleet.onboarding().create(a, "orders", InstanceOnboarding.Options.defaults());
        fleet.onboarding().create(p, "billing", InstanceOnboarding.Options.defaults());
        ObjectStore storeA = fleet.objectStores().forInstance(a);
        ObjectStore storeP = fleet.objectStores().forInstance(p);

        // Left behind by a crashed upload (an orphan once old enough), and a key that is not Tideline's.
        String crashedPart = LAYOUT.backupPart(BackupId.of(Instant.now(), "crash1"), 1);
        storeA.put(crashedPart, new byte[] {1, 2, 3}, Map.of());
        storeA.put("notes/readme.txt", "not Tideline's".getBytes(StandardCharsets.UTF_8), Map.of());

        Map<String, Object> props = new HashMap<>(fleet.serviceProperties());
        props.put("spec.name", "RetentionIT");
        props.put("tideline.retention.period", PERIOD.toSeconds() + "s");
        props.put("tideline.retention.interval", "1h");
        props.put("tideline.retention.orphan-age", ORPHAN_AGE.toSeconds() + "s");
        props.put("tideline.retention.catch-up-timeout", "15s");
        try (ApplicationContext ctx = ApplicationContext.run(props);
             BucketSeeder seederA = BucketSeeder.attach(fleet, a);
             BucketSeeder seederP = BucketSeeder.attach(fleet, p);
             Timeline timeline = new Timeline(fleet.kafka().bootstrapServers())) {
            RetentionService service = ctx.getBean(RetentionService.class);

            BucketSeeder.SeededBackup a1 = backupWithWal(fleet, seederA);
            BucketSeeder.SeededBackup p1 = backupWithWal(fleet, seederP);
            // A restore point only a1 reaches (it expires with a1), and one after a2 (it stays).
            RestorePoint onlyA1;
            try (Connection c = fleet.postgres().connect(seederA.instance())) {
                onlyA1 = RestorePoints.create(c, storeA, LAYOUT, a, "only-a1", "retention-it");
            }
            Thread.sleep(ORPHAN_AGE.plusSeconds(2).toMillis());
            BucketSeeder.SeededBackup a2 = backupWithWal(fleet, seederA);
            RestorePoint afterA2;
            try (Connection c = fleet.postgres().connect(seederA.instance())) {
                afterA2 = RestorePoints.create(c, storeA, LAYOUT, a, "after-a2", "retention-it");
            }
            BucketSeeder.SeededBackup p2 = backupWithWal(fleet, seederP);

            // A restore of p from its oldest backup starts and does not end (yet).
            String restoreId = UUID.randomUUID().toString();
            fleet.publisher().publishAndWait(Topics.RESTORE_EVENTS, p.value(), RestoreAccepted.newBuilder()
                    .setEventId(UUID.randomUUID()).setInstanceId(p.value()).setOccurredAt(Instant.now())
                    .setRestoreId(restoreId).setNewInstanceId("restored-p").setBackupId(p1.backupId().value())
                    .setTarget(p1.manifest().finishedAt().toString()).build());

            // The orphan went at the run after a2's BackupCompleted: no backup was old enough, so none is kept.
            ArtifactsExpired orphanRun = await().atMost(WAIT).until(() -> timeline.expired(a).stream()
                    .filter(e -> e.getOrphanKeys().contains(crashedPart)).findFirst(), java.util.Optional::isPresent).orElseThrow();
            assertNull(orphanRun.getKeptBackupId(), orphanRun.toString());
            assertTrue(orphanRun.getExpiredBackupIds().isEmpty());
            assertTrue(storeA.head(crashedPart).isEmpty());
            assertTrue(storeA.head(manifestKey(a1)).isPresent(), "no backup is older than the retention yet");

            // Once a2 is older than the retention, the next backup's completion lets a1 and its WAL go.
            sleepUntil(a2.manifest().finishedAt().plus(PERIOD).plusSeconds(2));
            Set<String> beforeA = keys(storeA);
            Set<String> beforeP = keys(storeP);
            // The undo finder's index of each WAL object (issue 15) expires with its WAL object, no sooner.
            Set<String> indexKeys = new TreeSet<>();
            for (String key : beforeA) {
                if (LAYOUT.parse(key) instanceof ObjectKind.WalSegment s) {
                    String index = LAYOUT.changeIndex(s.segment(), false);
                    storeA.put(index, ChangeIndex.of(s.segment().timeline(), s.segment().toString(), false, s.segment().startLsn(),
                            s.segment().endLsn(), List.of()).toStored(), java.util.Map.of());
                    indexKeys.add(index);
                }
            }
            BucketSeeder.SeededBackup a3 = backupWithWal(fleet, seederA);
            backupWithWal(fleet, seederP);

            ArtifactsExpired expired = await().atMost(WAIT).until(() -> timeline.expired(a).stream()
                    .filter(e -> a2.backupId().value().equals(e.getKeptBackupId())).findFirst(), java.util.Optional::isPresent)
                    .orElseThrow();
            assertEquals(List.of(a1.backupId().value()), expired.getExpiredBackupIds());
            Set<String> expiredWal = walBefore(beforeA, a2);
            assertTrue(!expiredWal.isEmpty(), "a1's WAL before a2's start");
            assertEquals(List.of(range(expiredWal)), expired.getExpiredWal());
            Set<String> expectedGone = new TreeSet<>(expiredWal);
            expectedGone.add(manifestKey(a1));
            a1.parts().forEach(o -> expectedGone.add(o.key()));
            assertEquals(expectedGone.size(), expired.getObjectsDeleted());

            // The bucket holds exactly what the rule keeps: everything else, the foreign key included.
            Set<String> expectedA = new TreeSet<>(beforeA);
            expectedA.removeAll(expectedGone);
            expectedA.remove(LAYOUT.restorePoint("only-a1"));
            Set<String> nowA = keys(storeA);
            assertTrue(nowA.containsAll(expectedA), "kept: " + diff(expectedA, nowA));
            assertTrue(nowA.stream().noneMatch(expectedGone::contains), "gone: " + expectedGone);
            assertTrue(nowA.contains("notes/readme.txt"), "keys outside the layout are never deleted");
            assertTrue(nowA.contains(manifestKey(a3)));
            for (String index : indexKeys) {
                String wal = LAYOUT.walSegment(((ObjectKind.ChangeIndex) LAYOUT.parse(index)).segment());
                assertEquals(!expiredWal.contains(wal), nowA.contains(index), "the change index goes with its WAL: " + index);
            }

            // Restore points expire with the window: the one only a1 reached went with it, the later one stays.
            assertTrue(onlyA1.lsn().isAfter(a1.manifest().endLsn()) && !onlyA1.lsn().isAfter(a2.manifest().endLsn()));
            await().atMost(WAIT).until(() -> storeA.head(LAYOUT.restorePoint("only-a1")).isEmpty());
            assertEquals(afterA2, RestorePoints.find(storeA, LAYOUT, "after-a2").orElseThrow());

            // What the window promised from the cutoff on is still restorable.
            RestorableWindow window = RestorableWindow.of(new BucketInventoryReader(LAYOUT).read(storeA).inventory());
            assertTrue(window.isRestorable(a2.manifest().finishedAt()), window.toString());
            assertEquals(a2.manifest().finishedAt(), window.from().orElseThrow());

            // p: the running restore pins p1 and all WAL from p1's start; only WAL before p1 (no backup needs it) may go.
            await().atMost(WAIT).until(() -> service.lastOutcome(p).filter(o -> o.at().isAfter(a3.manifest().finishedAt())).isPresent());
            RunOutcome pinned = service.lastOutcome(p).orElseThrow();
            assertTrue(pinned.kind() == RunOutcome.Kind.EXPIRED || pinned.kind() == RunOutcome.Kind.NOTHING_TO_EXPIRE, pinned.toString());
            assertTrue(pinned.reasons().stream().anyMatch(r -> r.contains(p1.backupId().value()) && r.contains("restore")),
                    "the decision says why p1 stays: " + pinned.reasons());
            Set<String> usedByRestore = new TreeSet<>(beforeP);
            usedByRestore.removeAll(walBefore(beforeP, p1));
            assertTrue(keys(storeP).containsAll(usedByRestore), "nothing a running restore uses is deleted: "
                    + diff(usedByRestore, keys(storeP)));
            assertTrue(timeline.expired(p).stream().allMatch(e -> e.getExpiredBackupIds().isEmpty()), timeline.expired(p).toString());

            // The restore ends; the next run lets p1 go.
            fleet.publisher().publishAndWait(Topics.RESTORE_EVENTS, p.value(), RestoreCompleted.newBuilder()
                    .setEventId(UUID.randomUUID()).setInstanceId(p.value()).setOccurredAt(Instant.now())
                    .setRestoreId(restoreId).setNewInstanceId("restored-p").setHost("127.0.0.1").setPort(5432)
                    .setDatabase("postgres").setUser("tideline_admin").setSecretRef("instances/restored-p/admin")
                    .setRecoveredTo(p1.manifest().finishedAt()).setWalReplayedThroughSegment(null).build());
            fleet.publisher().publishAndWait(Topics.TIMELINE, p.value(), p2.completedEvent(Instant.now()));
            ArtifactsExpired expiredP = await().atMost(WAIT).until(() -> timeline.expired(p).stream()
                    .filter(e -> !e.getExpiredBackupIds().isEmpty()).findFirst(), java.util.Optional::isPresent).orElseThrow();
            assertEquals(List.of(p1.backupId().value()), expiredP.getExpiredBackupIds());
            assertEquals(p2.backupId().value(), expiredP.getKeptBackupId());
            assertTrue(storeP.head(manifestKey(p1)).isEmpty());

            // A bucket that cannot be listed: retention waits and says why, deleting nothing.
            fleet.s3().stop();
            try {
                Instant asked = Instant.now();
                service.trigger(a);
                RunOutcome waited = await().atMost(WAIT).until(() -> service.lastOutcome(a).orElseThrow(),
                        o -> o.at().isAfter(asked));
                assertEquals(RunOutcome.Kind.WAITED, waited.kind(), waited.toString());
                assertTrue(waited.reasons().get(0).contains("could not be read"), waited.reasons().toString());
            } finally {
                fleet.s3().start();
            }
        }
    }

    // ---------------------------------------------------------------------------------------------

    /** A base backup, the WAL that makes it restorable and a bit more, and the event the archiver would publish. */
    private static BucketSeeder.SeededBackup backupWithWal(Fleet fleet, BucketSeeder seeder) throws Exception {
        try (Connection c = fleet.postgres().connect(seeder.instance()); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS t (x text)");
            s.execute("INSERT INTO t SELECT repeat('z', 200) FROM generate_series(1, 2000)");
        }
        BucketSeeder.SeededBackup backup = seeder.seedBaseBackup();
        seeder.seedWalThrough(backup.manifest().endLsn());
        seeder.seedAllCompletedWal();
        fleet.publisher().publishAndWait(Topics.TIMELINE, seeder.instance().id().value(), backup.completedEvent(Instant.now()));
        return backup;
    }

    private static String manifestKey(BucketSeeder.SeededBackup backup) {
        return LAYOUT.backupManifest(backup.backupId());
    }

    private static Set<String> keys(ObjectStore store) {
        return store.list("").stream().map(StoredObject::key).collect(Collectors.toCollection(TreeSet::new));
    }

    /** WAL keys of segments that end at or before the backup's start. */
    private static Set<String> walBefore(Set<String> keys, BucketSeeder.SeededBackup backup) {
        Set<String> before = new TreeSet<>();
        for (String key : keys) {
            if (LAYOUT.parse(key) instanceof ObjectKind.WalSegment s
                    && !s.segment().endLsn().isAfter(backup.manifest().startLsn())) {
                before.add(key);
            }
        }
        return before;
    }

    private static WalRange range(Set<String> walKeys) {
        List<WalSegmentName> segments = walKeys.stream()
                .map(k -> ((ObjectKind.WalSegment) LAYOUT.parse(k)).segment()).sorted().toList();
        return WalRange.newBuilder().setTimeline((int) segments.get(0).timeline())
                .setFromSegment(segments.get(0).toString())
                .setToSegment(segments.get(segments.size() - 1).toString()).build();
    }

    private static String diff(Set<String> expected, Set<String> actual) {
        Set<String> missing = new TreeSet<>(expected);
        missing.removeAll(actual);
        return "missing " + missing;
    }

    private static void sleepUntil(Instant t) throws InterruptedException {
        long ms = Duration.between(Instant.now(), t).toMillis();
        if (ms > 0) {
            Thread.sleep(ms);
        }
    }

    /** Reads {@code tideline.timeline} from the beginning and keeps the {@code ArtifactsExpired} per instance. */
    private final class Timeline implements AutoCloseable {
        private final KafkaConsumer<String, byte[]> consumer;
        private final List<ArtifactsExpired> seen = new ArrayList<>();

        Timeline(String bootstrap) {
            Map<String, Object> props = Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                    ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                    ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName(),
                    ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
            consumer = new KafkaConsumer<>(props);
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.TIMELINE).stream()
                    .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
        }

        synchronized List<ArtifactsExpired> expired(InstanceId instance) {
            for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                SpecificRecord event = codec.decode(r.value());
                if (event instanceof ArtifactsExpired e) {
                    seen.add(e);
                }
            }
            return seen.stream().filter(e -> e.getInstanceId().equals(instance.value())).toList();
        }

        @Override
        public void close() {
            consumer.close();
        }
    }
}
