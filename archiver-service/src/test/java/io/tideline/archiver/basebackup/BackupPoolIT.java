package io.tideline.archiver.basebackup;

import static io.tideline.archiver.basebackup.BackupTesting.WAIT;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.ApplicationContext;
import io.tideline.archiver.ArchiverConfig;
import io.tideline.core.ids.InstanceId;
import io.tideline.core.kafka.Topics;
import io.tideline.core.registry.InstanceOnboarding;
import io.tideline.core.registry.RegisteredInstance;
import io.tideline.core.storage.BucketLayout;
import io.tideline.core.storage.ObjectKind;
import io.tideline.core.storage.ObjectStore;
import io.tideline.schemas.BackupCompleted;
import io.tideline.schemas.BackupReason;
import io.tideline.schemas.DeadLetter;
import io.tideline.testkit.Fleet;
import io.tideline.testkit.FleetExtension;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 18: base backups run on a bounded pool of their own, off the thread that consumes the commands.
 * The pool bound is measured on the servers themselves ({@code pg_stat_progress_basebackup}), not in
 * the archiver's memory.
 */
@ExtendWith(FleetExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BackupPoolIT {

    private final Fleet fleet;
    private ApplicationContext archiver;
    private EventLog events;
    private Thread sampler;
    private final AtomicBoolean sampling = new AtomicBoolean(true);

    BackupPoolIT(Fleet fleet) {
        this.fleet = fleet;
    }

    @BeforeAll
    void topics() {
        BackupTesting.createTopics(fleet);
    }

    @AfterEach
    void stop() throws InterruptedException {
        sampling.set(false);
        if (sampler != null) {
            sampler.join(5000);
        }
        if (events != null) {
            events.close();
        }
        if (archiver != null) {
            archiver.close();
        }
    }

    private RegisteredInstance instance(String name) {
        InstanceId id = fleet.postgres().newId(name);
        return fleet.onboarding().create(id, name, InstanceOnboarding.Options.defaults());
    }

    private Connection connect(RegisteredInstance instance) throws SQLException {
        return fleet.postgres().connect(fleet.postgres().provisioner().get(instance.id()));
    }

    private static int runningBackups(List<Connection> servers) throws SQLException {
        int running = 0;
        for (Connection c : servers) {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_stat_progress_basebackup")) {
                rs.next();
                running += rs.getInt(1);
            }
        }
        return running;
    }

    private static boolean hasCompleteSegment(ObjectStore store) {
        return store.list(BucketLayout.WAL).stream().anyMatch(o -> BucketLayout.DEFAULT.parse(o.key()) instanceof ObjectKind.WalSegment);
    }

    @Test
    void backupsOfSeveralInstancesRunAtOnceUpToThePoolBoundWhileCommandsAndWalStreamingGoOn() throws Exception {
        List<RegisteredInstance> backedUp = List.of(instance("pool-a"), instance("pool-b"), instance("pool-c"));
        // the third instance's backup waits behind the first two: its WAL stream is the one that must go on meanwhile
        RegisteredInstance streamed = backedUp.get(2);
        ObjectStore walStore = fleet.objectStores().forInstance(streamed.id());
        Map<String, Object> props = new HashMap<>(BackupTesting.archiverProperties(fleet));
        props.put("tideline.archiver.wal.enabled", true); // this replica streams WAL too, as in production
        props.put(ArchiverConfig.PREFIX + ".group-id", "it-archiver-pool-" + UUID.randomUUID());
        props.put("tideline.archiver.wal.flush-interval", "1s");
        props.put(BackupPoolSettings.PREFIX + ".max-concurrent", 2);
        // ~25 MB each at 3 MB/s: long enough to see two at once on the servers, short enough for CI
        props.put(BackupSettings.PREFIX + ".max-rate-kb-per-second", 3072);
        archiver = ApplicationContext.run(props);
        events = new EventLog(fleet.kafka().bootstrapServers(), Topics.TIMELINE, Topics.DEAD_LETTERS);
        await().atMost(WAIT).until(() -> !walStore.list(BucketLayout.WAL).isEmpty()); // the stream runs

        // What the servers say, every 50 ms: how many backups run at once, and how many wait.
        List<Connection> servers = new ArrayList<>();
        for (RegisteredInstance i : backedUp) {
            servers.add(connect(i));
        }
        MeterRegistry meters = archiver.getBean(MeterRegistry.class);
        AtomicInteger mostRunning = new AtomicInteger();
        AtomicInteger mostQueued = new AtomicInteger();
        AtomicInteger running = new AtomicInteger();
        sampler = new Thread(() -> {
            while (sampling.get()) {
                try {
                    int now = runningBackups(servers);
                    running.set(now);
                    mostRunning.accumulateAndGet(now, Math::max);
                    mostQueued.accumulateAndGet((int) meters.get("tideline.archiver.backup.queued").gauge().value(), Math::max);
                    Thread.sleep(50);
                } catch (Exception e) {
                    return;
                }
            }
        }, "it-backup-sampler");
        sampler.setDaemon(true);
        sampler.start();

        for (RegisteredInstance i : backedUp) {
            String id = i.id().value();
            fleet.publisher().publishAndWait(Topics.BACKUP_COMMANDS, id, BackupTesting.command(id, "manual:" + id, BackupReason.ON_DEMAND));
        }
        await().atMost(WAIT).until(() -> running.get() == 2);

        // The consumer is not inside a backup: a bad command behind them is dead-lettered while they run.
        String bad = streamed.id().value();
        String wrongDaily = "daily:someone-else:2026-12-07";
        fleet.publisher().publishAndWait(Topics.BACKUP_COMMANDS, bad, BackupTesting.command(bad, wrongDaily, BackupReason.DAILY));
        await().atMost(WAIT).until(() -> events.of(bad).stream().anyMatch(e -> e.value() instanceof DeadLetter));
        assertTrue(running.get() > 0, "dead-lettered while backups were still running");

        // WAL streaming of another instance goes on meanwhile: a completed segment is stored.
        assertTrue(!hasCompleteSegment(walStore), "no complete segment before the switch");
        try (Connection c = connect(streamed); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE t AS SELECT g FROM generate_series(1, 1000) g");
            s.execute("SELECT pg_switch_wal()");
        }
        await().atMost(WAIT).until(() -> hasCompleteSegment(walStore));
        assertTrue(running.get() > 0, "the segment was stored while backups were still running");

        for (RegisteredInstance i : backedUp) {
            String id = i.id().value();
            await().atMost(WAIT).until(() -> !events.all(BackupCompleted.class, e -> e.getInstanceId().equals(id)).isEmpty());
        }
        assertEquals(2, mostRunning.get(), "two backups at once, never more (max-concurrent 2)");
        assertEquals(1, mostQueued.get(), "the third waited in the queue, visibly");
        for (Connection c : servers) {
            c.close();
        }
    }
}
