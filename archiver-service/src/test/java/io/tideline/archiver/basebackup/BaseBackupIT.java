package io.tideline.archiver.basebackup;

import static io.tideline.archiver.basebackup.BackupTesting.WAIT;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micronaut.context.ApplicationContext;
import io.tideline.core.basebackup.BackupManifest;
import io.tideline.core.ids.BackupId;
import io.tideline.core.ids.InstanceId;
import io.tideline.core.kafka.Topics;
import io.tideline.core.registry.InstanceOnboarding;
import io.tideline.core.registry.RegisteredInstance;
import io.tideline.core.storage.ObjectStore;
import io.tideline.schemas.BackupCommand;
import io.tideline.schemas.BackupCompleted;
import io.tideline.schemas.BackupFailed;
import io.tideline.schemas.BackupPhase;
import io.tideline.schemas.BackupProgress;
import io.tideline.schemas.BackupReason;
import io.tideline.schemas.BackupStarted;
import io.tideline.schemas.DeadLetter;
import io.tideline.testkit.BucketSeeder;
import io.tideline.testkit.Fleet;
import io.tideline.testkit.FleetExtension;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Base backups of real PostgreSQL clusters into the real S3 server, driven through real Kafka. The
 * tests store the WAL themselves ({@link TestWal}), after they have seen the archiver wait for it.
 */
@ExtendWith(FleetExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BaseBackupIT {

    private final Fleet fleet;
    private ApplicationContext archiver;
    private EventLog events;
    private final java.util.List<BucketSeeder> seeders = new java.util.ArrayList<>();

    BaseBackupIT(Fleet fleet) {
        this.fleet = fleet;
    }

    @BeforeAll
    void start() {
        BackupTesting.createTopics(fleet);
        archiver = BackupTesting.startArchiver(fleet, Map.of(BackupSettings.PREFIX + ".unknown-instance-grace", "1s"));
        events = new EventLog(fleet.kafka().bootstrapServers(), Topics.TIMELINE, Topics.DEAD_LETTERS);
    }

    @AfterAll
    void stop() {
        if (events != null) {
            events.close();
        }
        if (archiver != null) {
            archiver.close();
        }
    }

    /** Stands in for the WAL streamer: stores WAL when the test says so (slot dropped after the test). */
    private BucketSeeder seeder(RegisteredInstance instance) {
        BucketSeeder seeder = BucketSeeder.attach(fleet, instance.id());
        seeders.add(seeder);
        return seeder;
    }

    @AfterEach
    void closeSeeders() {
        seeders.forEach(BucketSeeder::close);
        seeders.clear();
    }

    private RegisteredInstance instance(String name) {
        InstanceId id = fleet.postgres().newId(name);
        return fleet.onboarding().create(id, name, InstanceOnboarding.Options.defaults());
    }

    private void send(BackupCommand command) {
        fleet.publisher().publishAndWait(Topics.BACKUP_COMMANDS, command.getInstanceId(), command);
    }

    private <T extends org.apache.avro.specific.SpecificRecord> List<T> events(Class<T> type, String instance, String commandId) {
        return events.of(instance).stream().map(EventLog.Event::value).filter(type::isInstance).map(type::cast)
                .filter(e -> commandId.equals(String.valueOf(((org.apache.avro.generic.GenericRecord) e).get("commandId")))).toList();
    }

    @Test
    void aBackupIsStoredVerifiablyAndCompletesOnlyOnceItsWalIsStored() throws Exception {
        RegisteredInstance instance = instance("bb-wal");
        String id = instance.id().value();
        BucketSeeder wal = seeder(instance);
        try (Connection c = fleet.postgres().connect(wal.instance()); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE orders AS SELECT g AS id, md5(g::text) AS note FROM generate_series(1, 200000) g");
        }
        ObjectStore store = fleet.objectStores().forInstance(instance.id());
        String commandId = "daily:" + id + ":2026-11-24";

        send(BackupTesting.command(id, commandId, BackupReason.DAILY));

        await().atMost(WAIT).until(() -> !BackupTesting.manifests(store).isEmpty());
        BackupManifest manifest = BackupTesting.manifests(store).values().iterator().next();
        // The event log's consumer may read the event a moment after the manifest is visible in the bucket.
        BackupStarted started = await().atMost(WAIT).until(() -> events(BackupStarted.class, id, commandId), l -> !l.isEmpty()).get(0);
        assertEquals(manifest.backupId().value(), started.getBackupId());
        assertEquals(manifest.startLsn().toString(), started.getStartLsn());

        // Its data and manifest are stored, but no WAL: the archiver must wait, and say so.
        await().atMost(WAIT).until(() -> events(BackupProgress.class, id, commandId).stream()
                .anyMatch(p -> p.getPhase() == BackupPhase.WAITING_FOR_WAL));
        Thread.sleep(3_000);
        assertEquals(List.of(), events(BackupCompleted.class, id, commandId), "completed before its WAL was stored");
        assertEquals(List.of(), events(BackupFailed.class, id, commandId));

        Instant walStoredAt = Instant.now();
        List<BucketSeeder.SeededWal> walKeys = wal.seedWalThrough(manifest.endLsn());
        assertFalse(walKeys.isEmpty());

        await().atMost(WAIT).until(() -> !events(BackupCompleted.class, id, commandId).isEmpty());
        BackupCompleted completed = events(BackupCompleted.class, id, commandId).get(0);
        assertTrue(!completed.getOccurredAt().isBefore(walStoredAt.truncatedTo(java.time.temporal.ChronoUnit.MILLIS)),
                "completed at " + completed.getOccurredAt() + ", WAL stored from " + walStoredAt);
        assertEquals(manifest.backupId().value(), completed.getBackupId());
        assertEquals(manifest.startLsn().toString(), completed.getStartLsn());
        assertEquals(manifest.endLsn().toString(), completed.getEndLsn());
        assertEquals(manifest.rawBytes(), completed.getBytesRaw());
        assertEquals(manifest.storedBytes(), completed.getBytesStored());
        assertEquals("basebackups/" + manifest.backupId() + "/manifest.json", completed.getManifestKey());
        List<String> order = events.of(id).stream().map(e -> e.value().getClass().getSimpleName())
                .filter(c -> !c.equals("BackupProgress")).distinct().toList();
        assertEquals(List.of("BackupStarted", "BackupCompleted"), order);

        // The manifest says what the cluster is and where the data is; every part re-reads to its sha256.
        assertEquals(commandId, manifest.commandId());
        assertTrue(manifest.parts().size() >= 3, "a " + manifest.rawBytes() + "-byte stream in 8 MiB parts: " + manifest.parts().size());
        try (Connection c = fleet.postgres().connect(wal.instance()); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT system_identifier, current_setting('server_version_num')::int FROM pg_control_system()")) {
            rs.next();
            assertEquals(rs.getLong(1), manifest.systemIdentifier());
            assertEquals(rs.getInt(2), manifest.postgresVersion());
        }
        assertTrue(manifest.storedBytes() < manifest.rawBytes() / 2, "compressed: " + manifest.storedBytes() + " of " + manifest.rawBytes());
        List<String> members = BackupTesting.verifyParts(store, manifest);
        assertTrue(members.stream().anyMatch(n -> n.startsWith("base/")), members.toString());

        // Progress got there: what the CLI's bar would show at the end.
        BackupProgress last = events(BackupProgress.class, id, commandId).get(events(BackupProgress.class, id, commandId).size() - 1);
        assertEquals(manifest.rawBytes(), last.getBytesDone());
        assertEquals(manifest.storedBytes(), last.getBytesStored());
        // and what the metrics endpoint shows
        io.micrometer.core.instrument.MeterRegistry meters = archiver.getBean(io.micrometer.core.instrument.MeterRegistry.class);
        await().atMost(WAIT).until(() -> {
            var done = meters.find(BackupProgressReporter.BYTES_DONE).tag("instance", id).gauge();
            return done != null && done.value() == manifest.rawBytes();
        });
        assertEquals(manifest.storedBytes(), meters.find(BackupProgressReporter.BYTES_STORED).tag("instance", id).gauge().value());
    }

    @Test
    void theSameCommandDeliveredTwiceGivesOneBackup() throws Exception {
        RegisteredInstance instance = instance("bb-twice");
        String id = instance.id().value();
        BucketSeeder wal = seeder(instance);
        ObjectStore store = fleet.objectStores().forInstance(instance.id());
        String commandId = "daily:" + id + ":2026-11-25";

        BackupCommand command = BackupTesting.command(id, commandId, BackupReason.DAILY);
        var first = fleet.publisher().publishAndWait(Topics.BACKUP_COMMANDS, id, command);
        var second = fleet.publisher().publishAndWait(Topics.BACKUP_COMMANDS, id, BackupTesting.command(id, commandId, BackupReason.DAILY));
        assertEquals(first.partition(), second.partition());

        await().atMost(WAIT).until(() -> !BackupTesting.manifests(store).isEmpty());
        BackupManifest manifest = BackupTesting.manifests(store).values().iterator().next();
        wal.seedWalThrough(manifest.endLsn());
        await().atMost(WAIT).until(() -> !events(BackupCompleted.class, id, commandId).isEmpty());

        // The second delivery has been handled once the group's offset is past it.
        TopicPartition partition = new TopicPartition(Topics.BACKUP_COMMANDS, second.partition());
        try (Admin admin = fleet.kafka().adminClient()) {
            await().atMost(WAIT).until(() -> {
                OffsetAndMetadata committed = admin.listConsumerGroupOffsets(BackupSettings.GROUP_ID)
                        .partitionsToOffsetAndMetadata().get().get(partition);
                return committed != null && committed.offset() > second.offset();
            });
        }
        assertEquals(1, BackupTesting.manifests(store).size(), "one backup in the bucket");
        assertEquals(java.util.Set.of(manifest.backupId()), BackupTesting.backupDirectories(store), "and nothing else under basebackups/");
        assertEquals(1, events(BackupStarted.class, id, commandId).size());
        assertEquals(1, events(BackupCompleted.class, id, commandId).size());
        assertEquals(0, events(BackupFailed.class, id, commandId).size());
    }

    @Test
    void commandsForUnknownInstancesOrWithMalformedFieldsAreDeadLettered() throws Exception {
        RegisteredInstance instance = instance("bb-dlq");
        String ghost = fleet.postgres().newId("ghost").value();
        send(BackupTesting.command(ghost, "manual:" + ghost, BackupReason.ON_DEMAND));
        String wrongDaily = "daily:someone-else:2026-11-24";
        send(BackupTesting.command(instance.id().value(), wrongDaily, BackupReason.DAILY));

        await().atMost(WAIT).until(() -> events.of(ghost).stream().anyMatch(e -> e.value() instanceof DeadLetter));
        DeadLetter unknown = (DeadLetter) events.of(ghost).stream().filter(e -> e.value() instanceof DeadLetter).findFirst().orElseThrow().value();
        assertTrue(unknown.getError().contains("unknown instance " + ghost), unknown.getError());
        assertEquals(Topics.BACKUP_COMMANDS, unknown.getTopic());
        assertEquals(BackupSettings.GROUP_ID, unknown.getConsumerGroup());

        await().atMost(WAIT).until(() -> events.of(instance.id().value()).stream().anyMatch(e -> e.value() instanceof DeadLetter));
        DeadLetter malformed = (DeadLetter) events.of(instance.id().value()).stream()
                .filter(e -> e.value() instanceof DeadLetter).findFirst().orElseThrow().value();
        assertTrue(malformed.getError().contains(wrongDaily), malformed.getError());
        assertEquals(List.of(), events(BackupStarted.class, instance.id().value(), wrongDaily), "no backup taken");
        assertEquals(java.util.Set.<BackupId>of(), BackupTesting.backupDirectories(fleet.objectStores().forInstance(instance.id())));
    }
}
