package io.tideline.archiver.basebackup;

import static io.tideline.archiver.basebackup.BackupTesting.WAIT;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micronaut.context.ApplicationContext;
import io.tideline.core.basebackup.BackupManifest;
import io.tideline.core.ids.BackupId;
import io.tideline.core.ids.InstanceId;
import io.tideline.core.kafka.Topics;
import io.tideline.core.registry.InstanceOnboarding;
import io.tideline.core.registry.RegisteredInstance;
import io.tideline.core.storage.BucketLayout;
import io.tideline.core.storage.ObjectStore;
import io.tideline.schemas.BackupCompleted;
import io.tideline.schemas.BackupFailed;
import io.tideline.schemas.BackupPhase;
import io.tideline.schemas.BackupProgress;
import io.tideline.schemas.BackupReason;
import io.tideline.schemas.BackupStarted;
import io.tideline.testkit.BucketSeeder;
import io.tideline.testkit.Fleet;
import io.tideline.testkit.FleetExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/** Backups that cannot finish: the object store stops mid-stream, or the WAL never arrives. */
@ExtendWith(FleetExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BaseBackupInterruptedIT {

    /** The child archiver is a new JVM: under load its start and group join alone took over 3 minutes once. */
    private static final Duration CHILD_START = Duration.ofMinutes(5);

    private final Fleet fleet;
    private ApplicationContext archiver;
    private Process child;
    private EventLog events;
    private final java.util.List<BucketSeeder> seeders = new java.util.ArrayList<>();

    BaseBackupInterruptedIT(Fleet fleet) {
        this.fleet = fleet;
    }

    @BeforeAll
    void topics() {
        BackupTesting.createTopics(fleet);
    }

    @BeforeEach
    void log() {
        events = new EventLog(fleet.kafka().bootstrapServers(), Topics.TIMELINE);
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (child != null && child.isAlive()) {
            child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        events.close();
        if (archiver != null) {
            archiver.close();
            archiver = null;
        }
        if (!fleet.s3().isRunning()) {
            fleet.s3().start();
        }
    }

    private <T extends SpecificRecord> List<T> events(Class<T> type, String instance, String commandId) {
        return events.of(instance).stream().map(EventLog.Event::value).filter(type::isInstance).map(type::cast)
                .filter(e -> commandId.equals(String.valueOf(((GenericRecord) e).get("commandId")))).toList();
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

    private void pgbench(RegisteredInstance instance, int scale) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(Path.of("/usr/lib/postgresql/15/bin/pgbench").toString(), "-i", "-q",
                "-s", Integer.toString(scale), "-h", instance.host(), "-p", Integer.toString(instance.port()),
                "-U", instance.superuser(), instance.database());
        pb.environment().put("PGPASSWORD", fleet.postgres().secrets().get(instance.superuserSecret()));
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(5, TimeUnit.MINUTES));
        assertEquals(0, p.exitValue(), out);
    }

    @Test
    void anObjectStoreOutageMidStreamFailsTheBackupWithoutManifestAndARetrySucceeds() throws Exception {
        RegisteredInstance instance = instance("bb-s3-outage");
        String id = instance.id().value();
        pgbench(instance, 5);
        BucketSeeder wal = seeder(instance);
        ObjectStore store = fleet.objectStores().forInstance(instance.id());
        // Throttled so the stream lasts long enough to pull the store away in the middle of it.
        archiver = BackupTesting.startArchiver(fleet, Map.of(BackupSettings.PREFIX + ".max-rate-kb-per-second", 12_288));
        String commandId = "daily:" + id + ":2026-11-26";

        fleet.publisher().publishAndWait(Topics.BACKUP_COMMANDS, id, BackupTesting.command(id, commandId, BackupReason.DAILY));
        await().atMost(WAIT).until(() -> events(BackupProgress.class, id, commandId).stream()
                .anyMatch(p -> p.getPhase() == BackupPhase.STREAMING && p.getBytesStored() > 0));
        fleet.s3().stop();

        await().atMost(WAIT).until(() -> !events(BackupFailed.class, id, commandId).isEmpty());
        BackupFailed failed = events(BackupFailed.class, id, commandId).get(0);
        BackupStarted started = events(BackupStarted.class, id, commandId).get(0);
        assertEquals(started.getBackupId(), failed.getBackupId());
        assertEquals(started.getStartedAt(), failed.getStartedAt());
        assertTrue(failed.getReason().contains(BucketLayout.DATA_PART_NAME), "the reason names the part: " + failed.getReason());

        // What the progress said while it streamed: growing, against the server's estimate.
        List<BackupProgress> streaming = events(BackupProgress.class, id, commandId).stream()
                .filter(p -> p.getPhase() == BackupPhase.STREAMING).toList();
        assertTrue(streaming.size() >= 2, streaming.toString());
        BackupProgress a = streaming.get(0);
        BackupProgress b = streaming.get(streaming.size() - 1);
        assertTrue(b.getBytesDone() > a.getBytesDone(), a + " then " + b);
        assertTrue(b.getBytesTotal() != null && b.getBytesTotal() > 60L * 1024 * 1024, "pgbench -s 5 estimate: " + b.getBytesTotal());

        fleet.s3().start();
        BackupId failedId = BackupId.parse(failed.getBackupId());
        assertEquals(Map.of(), BackupTesting.manifests(store), "a failed backup has no manifest");
        assertTrue(store.list(BucketLayout.DEFAULT.backupManifest(failedId)).isEmpty());
        assertEquals(List.of(), events(BackupCompleted.class, id, commandId));

        // The same command again: a new backup, complete this time.
        fleet.publisher().publishAndWait(Topics.BACKUP_COMMANDS, id, BackupTesting.command(id, commandId, BackupReason.DAILY));
        await().atMost(WAIT).until(() -> !BackupTesting.manifests(store).isEmpty());
        BackupManifest manifest = BackupTesting.manifests(store).values().iterator().next();
        assertNotEquals(failedId, manifest.backupId());
        wal.seedWalThrough(manifest.endLsn());
        await().atMost(WAIT).until(() -> !events(BackupCompleted.class, id, commandId).isEmpty());
        assertEquals(manifest.backupId().value(), events(BackupCompleted.class, id, commandId).get(0).getBackupId());
        assertEquals(1, BackupTesting.manifests(store).size());
        assertTrue(manifest.rawBytes() > 60L * 1024 * 1024, "pgbench -s 5: " + manifest.rawBytes());
        BackupTesting.verifyParts(store, manifest);
    }

    /**
     * Issue 17, finding 5: a backup killed mid-stream stayed "running" forever, its parts stayed in the
     * bucket, and the redelivered command was taken again as a second backup beside the next one.
     */
    @Test
    void anArchiverKilledMidStreamIsFailedAsInterruptedOnRestartCleanedAndItsCommandAnsweredOnce() throws Exception {
        RegisteredInstance instance = instance("bb-killed");
        String id = instance.id().value();
        pgbench(instance, 5);
        BucketSeeder wal = seeder(instance);
        ObjectStore store = fleet.objectStores().forInstance(instance.id());
        Map<String, Object> props = new java.util.HashMap<>(BackupTesting.archiverProperties(fleet));
        props.put(BackupSettings.PREFIX + ".max-rate-kb-per-second", 12_288);
        // the dead member's partitions are handed over when its session expires: keep that short
        props.put("kafka.consumers." + BackupSettings.GROUP_ID + ".session.timeout.ms", 6000);
        props.put("kafka.consumers." + BackupSettings.GROUP_ID + ".heartbeat.interval.ms", 1000);
        String commandId = "manual:" + id;
        child = startArchiverProcess(props);

        fleet.publisher().publishAndWait(Topics.BACKUP_COMMANDS, id, BackupTesting.command(id, commandId, BackupReason.ON_DEMAND));
        await().atMost(CHILD_START).until(() -> events(BackupProgress.class, id, commandId).stream()
                .anyMatch(p -> p.getPhase() == BackupPhase.STREAMING && p.getBytesStored() > 0));
        child.destroyForcibly(); // SIGKILL: no cleanup, no BackupFailed, no commit
        assertTrue(child.waitFor(10, TimeUnit.SECONDS));
        BackupStarted started = events(BackupStarted.class, id, commandId).get(0);
        BackupId killed = BackupId.parse(started.getBackupId());
        assertEquals(Map.of(), BackupTesting.manifests(store), "no manifest: not a backup");
        assertTrue(BackupTesting.backupDirectories(store).contains(killed), "its stored parts are left by the dead process");
        assertEquals(List.of(), events(BackupCompleted.class, id, commandId));
        assertEquals(List.of(), events(BackupFailed.class, id, commandId));

        // Another replica gets the uncommitted command: it fails the half-made backup and answers the command with that.
        archiver = ApplicationContext.run(props);
        await().atMost(WAIT).until(() -> !events(BackupFailed.class, id, commandId).isEmpty());
        BackupFailed failed = events(BackupFailed.class, id, commandId).get(0);
        assertEquals(killed.value(), failed.getBackupId());
        assertEquals(started.getStartedAt(), failed.getStartedAt());
        assertTrue(failed.getReason().startsWith(BaseBackups.INTERRUPTED), failed.getReason());
        assertTrue(!BackupTesting.backupDirectories(store).contains(killed), "its parts are removed");

        // The next command is taken; the interrupted one never runs a second time beside it.
        String next = "manual-next:" + id;
        fleet.publisher().publishAndWait(Topics.BACKUP_COMMANDS, id, BackupTesting.command(id, next, BackupReason.ON_DEMAND));
        await().atMost(WAIT).until(() -> !BackupTesting.manifests(store).isEmpty());
        BackupManifest manifest = BackupTesting.manifests(store).values().iterator().next();
        assertEquals(next, manifest.commandId());
        wal.seedWalThrough(manifest.endLsn());
        await().atMost(WAIT).until(() -> !events(BackupCompleted.class, id, next).isEmpty());
        assertEquals(1, BackupTesting.manifests(store).size());
        assertEquals(java.util.Set.of(manifest.backupId()), BackupTesting.backupDirectories(store));
        assertEquals(List.of(killed.value()), events(BackupStarted.class, id, commandId).stream().map(BackupStarted::getBackupId).toList(),
                "one backup for the interrupted command");
        assertEquals(List.of(), events(BackupCompleted.class, id, commandId));
        assertEquals(1, events(BackupFailed.class, id, commandId).size(), "the interrupted command is answered once");
        // what `tideline backups` shows as running: a BackupStarted without its end
        java.util.Set<String> ended = new java.util.HashSet<>();
        events(BackupFailed.class, id, commandId).forEach(f -> ended.add(f.getBackupId()));
        events(BackupCompleted.class, id, next).forEach(c -> ended.add(c.getBackupId()));
        assertTrue(ended.contains(killed.value()) && ended.contains(manifest.backupId().value()), "nothing left running: " + ended);
        BackupTesting.verifyParts(store, manifest);
    }

    /**
     * Issue 18: with backups on a pool, the consumer takes commands in long before their backups end. A
     * replica killed with two backups running and a third command queued behind them must lose none:
     * the next owner fails the two running ones as interrupted (as above) and takes the queued one.
     */
    @Test
    void aReplicaKilledWithBackupsRunningAndOneQueuedLosesNoCommand() throws Exception {
        RegisteredInstance first = instance("bb-pool-killed-a");
        RegisteredInstance second = instance("bb-pool-killed-b");
        RegisteredInstance queued = instance("bb-pool-killed-c");
        Map<String, Object> props = new java.util.HashMap<>(BackupTesting.archiverProperties(fleet));
        props.put("kafka.consumers." + BackupSettings.GROUP_ID + ".session.timeout.ms", 6000);
        props.put("kafka.consumers." + BackupSettings.GROUP_ID + ".heartbeat.interval.ms", 1000);
        Map<String, Object> childProps = new java.util.HashMap<>(props);
        childProps.put(BackupPoolSettings.PREFIX + ".max-concurrent", 2);
        childProps.put(BackupSettings.PREFIX + ".max-rate-kb-per-second", 1024); // ~25 s each: still running when killed
        child = startArchiverProcess(childProps);

        for (RegisteredInstance i : List.of(first, second, queued)) {
            String id = i.id().value();
            fleet.publisher().publishAndWait(Topics.BACKUP_COMMANDS, id, BackupTesting.command(id, "manual:" + id, BackupReason.ON_DEMAND));
        }
        // The commands sit on different partitions, so which two start first is the consumer's choice.
        List<RegisteredInstance> all = List.of(first, second, queued);
        await().atMost(CHILD_START).until(() -> all.stream().filter(i -> started(i)).count() == 2);
        child.destroyForcibly(); // SIGKILL with two backups running at once and the third waiting
        assertTrue(child.waitFor(10, TimeUnit.SECONDS));
        List<RegisteredInstance> running = all.stream().filter(this::started).toList();
        RegisteredInstance waiting = all.stream().filter(i -> !started(i)).findFirst().orElseThrow();
        assertEquals(2, running.size(), "two at once, the third waiting for a slot");
        String queuedId = waiting.id().value();

        archiver = ApplicationContext.run(props);
        for (RegisteredInstance i : running) {
            String id = i.id().value();
            await().atMost(WAIT).until(() -> !events(BackupFailed.class, id, "manual:" + id).isEmpty());
            assertTrue(events(BackupFailed.class, id, "manual:" + id).get(0).getReason().startsWith(BaseBackups.INTERRUPTED));
        }
        ObjectStore store = fleet.objectStores().forInstance(waiting.id());
        await().atMost(WAIT).until(() -> !BackupTesting.manifests(store).isEmpty());
        assertEquals("manual:" + queuedId, BackupTesting.manifests(store).values().iterator().next().commandId(),
                "the queued command was taken by the next owner");
    }

    private boolean started(RegisteredInstance instance) {
        String id = instance.id().value();
        return !events(BackupStarted.class, id, "manual:" + id).isEmpty();
    }

    /** The archiver as its own JVM (its log in target/), so it can be killed for real. */
    private static Process startArchiverProcess(Map<String, Object> properties) throws Exception {
        List<String> command = new java.util.ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx384m");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        properties.forEach((k, v) -> command.add("-D" + k + "=" + v));
        command.add(io.tideline.archiver.ArchiverApplication.class.getName());
        Path log = Path.of("target", "backup-killed-archiver.log").toAbsolutePath();
        java.nio.file.Files.createDirectories(log.getParent());
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    @Test
    void aBackupWhoseWalNeverArrivesFailsAfterTheTimeoutAndIsRemoved() throws Exception {
        RegisteredInstance instance = instance("bb-no-wal");
        String id = instance.id().value();
        ObjectStore store = fleet.objectStores().forInstance(instance.id());
        archiver = BackupTesting.startArchiver(fleet, Map.of(BackupSettings.PREFIX + ".wal-wait-timeout", "4s"));
        String commandId = "manual:" + id;

        fleet.publisher().publishAndWait(Topics.BACKUP_COMMANDS, id, BackupTesting.command(id, commandId, BackupReason.ON_DEMAND));
        await().atMost(WAIT).until(() -> !BackupTesting.manifests(store).isEmpty());
        BackupId backup = BackupTesting.manifests(store).keySet().iterator().next();

        await().atMost(WAIT).until(() -> !events(BackupFailed.class, id, commandId).isEmpty());
        BackupFailed failed = events(BackupFailed.class, id, commandId).get(0);
        assertEquals(backup.value(), failed.getBackupId());
        assertTrue(failed.getReason().contains("not stored within PT4S"), failed.getReason());
        assertTrue(failed.getReason().contains("000000010000000000000002"), "names the missing segment: " + failed.getReason());
        assertEquals(List.of(), events(BackupCompleted.class, id, commandId));
        assertEquals(java.util.Set.of(), BackupTesting.backupDirectories(store), "manifest and parts removed");
    }
}
