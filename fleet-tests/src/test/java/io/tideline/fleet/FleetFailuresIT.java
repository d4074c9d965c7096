package io.tideline.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.awaitility.Awaitility.await;

import io.tideline.core.kafka.KafkaConnection;
import io.tideline.core.kafka.Topics;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.errors.SslAuthenticationException;
import io.tideline.core.registry.RegisteredInstance;
import io.tideline.core.wal.Lsn;
import io.tideline.fleet.hosts.AgentHost;
import io.tideline.fleet.hosts.ServiceHost;
import io.tideline.fleet.net.Host;
import io.tideline.schemas.AgentAnnounced;
import io.tideline.schemas.RestoreCompleted;
import io.tideline.schemas.WalGapDetected;
import io.tideline.schemas.WalSegmentStored;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * An existing server restored onto another database host through its agent, and failures of whole hosts, on one
 * fleet of hosts ({@link NetFleet}) shared by the tests of this class. Each test leaves the fleet whole again
 * (broker restarted, host back, link mended), also when it fails.
 */
@ExtendWith(NetFleetExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FleetFailuresIT {

    /** A service host's instances are streamed from the other host within this after it died (the stated time). */
    static final Duration TAKEOVER = Duration.ofSeconds(60);
    /** How long the link of db-1 is cut: long enough to see in the lag, short enough for the CI budget. */
    static final Duration CUT = Duration.ofSeconds(15);

    private static EventWatch events;
    private static FleetOps ops;
    private static Archive archive;

    @BeforeAll
    static void watch(NetFleet fleet) {
        events = new EventWatch(fleet.kafka().admin(), List.of(Topics.TIMELINE, Topics.RESTORE_EVENTS, Topics.AGENTS));
        ops = new FleetOps(fleet, events);
        archive = new Archive(fleet.objectStores());
    }

    @AfterAll
    static void stopWatching() throws InterruptedException {
        if (events != null) {
            events.close();
        }
    }

    @Test
    @Order(0)
    void anExistingServerOnDb1IsRestoredToAMomentOnDb2ThroughItsAgentWithExactRowsAndTheOriginalUntouched(NetFleet fleet)
            throws Exception {
        RegisteredInstance pg = fleet.registerServer("db1", "pitr", -1);
        assertTrue(pg.adopted(), "registered as an existing server (tideline instance register), not provisioned");
        assertEquals(fleet.db("db1").host().address(), pg.host());
        ops.createTable(pg);
        ops.insert(pg, 300, "before the backup");
        events.await(WalSegmentStored.class, e -> e.getInstanceId().equals(pg.id().value()), Duration.ofSeconds(90));
        FleetOps.ServerFacts original = ops.facts(pg);
        assertFalse(original.slots().isEmpty(), "the archiver streams from its slot on db-1");
        // PostgreSQL over TLS (issue 14.1): the archiver's stream from a service host is encrypted, as db-1 sees it
        Set<String> serviceHosts = Set.copyOf(fleet.services().stream().map(s -> s.host().address()).toList());
        List<String> streams = ops.replicationConnections(pg, serviceHosts);
        assertFalse(streams.isEmpty(), "db-1 has a replication connection from a service host");
        assertTrue(streams.stream().noneMatch(s -> s.endsWith(" none")), "every replication connection is TLS: " + streams);
        SQLException plain = assertThrows(SQLException.class, () -> fleet.db("db1").connectPlain(ops.server(pg)).close(),
                "db-1 refuses a connection without TLS");
        assertTrue(plain.getMessage().contains("no encryption"), plain.getMessage());
        // Kafka over TLS (issue 14.1): the fleet's brokers refuse a client that trusts their CA but has no certificate
        Throwable noCertificate = describeCluster(KafkaConnection.tlsWithoutCertificate(fleet.kafka().bootstrapServers(),
                fleet.kafka().tlsDirectory()));
        assertInstanceOf(SslAuthenticationException.class, noCertificate, "refused without a certificate: " + noCertificate);
        Lsn from = ops.slotStart(pg);
        ops.backup(pg, Duration.ofSeconds(120));
        ops.insert(pg, 200, "after the backup");
        Thread.sleep(200);
        Instant target = ops.serverNow(pg); // on db-1's clock, between two commits
        Thread.sleep(200);
        ops.insert(pg, 250, "after the target");
        assertEquals(java.util.Optional.empty(), archive.awaitContiguous(pg.id(), from, ops.currentLsn(pg), pg.walSegmentSize(),
                Duration.ofSeconds(60)), "the WAL past the target is archived");

        // Two agents announced themselves; db-1's takes no restores (it serves production), db-2's has room.
        AgentHost db1Agent = fleet.agent("db1");
        AgentHost db2Agent = fleet.agent("db2");
        events.await(AgentAnnounced.class, a -> a.getAgentId().equals(db1Agent.id()), Duration.ofSeconds(30));
        assertTrue(events.all(AgentAnnounced.class, a -> a.getAgentId().equals(db1Agent.id())).stream()
                .allMatch(a -> a.getCapacity() == 0 && a.getHost().equals("db1")), "db-1's agent announced no room");
        assertFalse(events.all(AgentAnnounced.class, a -> a.getAgentId().equals(db2Agent.id()) && a.getFree() > 0).isEmpty(),
                "db-2's agent announced room");

        String restoreId = ops.requestRestore(pg, target.toString());
        SpecificRecord end = ops.awaitRestoreEnd(restoreId, Duration.ofSeconds(180));
        RestoreCompleted done = assertInstanceOf(RestoreCompleted.class, end, "the restore completed: " + end);

        assertEquals(db2Agent.host().address(), done.getHost(), "the copy is reached on db-2's address");
        assertTrue(db2Agent.instanceDirs().contains(done.getNewInstanceId()), "made on db-2 by its agent: " + db2Agent.instanceDirs());
        assertFalse(db2Agent.journal().contains(restoreId), "handed over: no longer the agent's to clean up");
        assertEquals("verify-full", ops.restoredTls(done).sslmode(), "the copy's CA is kept: Tideline verifies it and its name");
        try (Connection copy = ops.connectRestored(done)) { // over the fleet's network, as its user, verify-full
            assertTrue(FleetOps.encrypted(copy), "the connection to the copy on db-2 is encrypted (pg_stat_ssl)");
            assertEquals(Map.of("after the backup", 200L, "before the backup", 300L), FleetOps.countsByNote(copy),
                    "exactly the rows committed before " + target);
        }
        assertEquals(List.of(), db1Agent.instanceDirs(), "nothing made on db-1's agent");
        assertEquals(List.of(), db1Agent.journal(), "nothing half-made on db-1's agent");

        try (Connection db = ops.connect(pg)) {
            assertEquals(Map.of("after the backup", 200L, "after the target", 250L, "before the backup", 300L),
                    FleetOps.countsByNote(db), "the original keeps every row");
        }
        assertEquals(original, ops.facts(pg), "the original is the same server (system identifier), its slot is there, "
                + "no database or role was added");
    }

    @Test
    @Order(1)
    void aBrokerKilledWhileWalStreamsAndARestoreRunsLosesNothing(NetFleet fleet) throws Exception {
        RegisteredInstance pg = fleet.registerServer("db1", "broker", -1);
        ops.createTable(pg);
        ops.insert(pg, 1000, "before the backup");
        events.await(WalSegmentStored.class, e -> e.getInstanceId().equals(pg.id().value()), Duration.ofSeconds(90));
        Lsn from = ops.slotStart(pg);
        ops.backup(pg, Duration.ofSeconds(120));

        Writer writer = new Writer(ops, pg);
        writer.start();
        Host victim = fleet.kafka().hosts().get(1);
        try {
            Thread.sleep(2_000);
            Instant requested = Instant.now();
            String restoreId = ops.requestRestore(pg, "latest");
            fleet.kafka().kill(victim); // SIGKILL, while WAL streams and the restore runs
            SpecificRecord end = ops.awaitRestoreEnd(restoreId, Duration.ofSeconds(180));
            RestoreCompleted done = assertInstanceOf(RestoreCompleted.class, end, "the restore completed: " + end);

            long committedBefore = writer.lastIdCommittedBefore(requested.minus(NetFleet.FLUSH_INTERVAL));
            assertTrue(committedBefore > 1000, "the writer committed rows before the request");
            assertEquals(Long.toString(committedBefore),
                    ops.queryRestored(done, "SELECT count(*) FROM orders WHERE id <= " + committedBefore),
                    "latest holds every row committed a flush interval before the request");
        } finally {
            writer.stop();
            fleet.kafka().restart(victim);
        }
        Lsn to = ops.currentLsn(pg);
        assertEquals(java.util.Optional.empty(), archive.awaitContiguous(pg.id(), from, to, pg.walSegmentSize(), Duration.ofSeconds(60)),
                "no WAL byte lost");
        assertTrue(events.all(WalGapDetected.class, g -> g.getInstanceId().equals(pg.id().value())).isEmpty(), "no gap reported");
    }

    @Test
    @Order(2)
    void aServiceHostKilledIsTakenOverAndTheWorkSpreadsAgainWhenItIsBack(NetFleet fleet) throws Exception {
        List<RegisteredInstance> fleetOfThree = new ArrayList<>();
        for (int partition = 0; partition < fleet.topicPartitions(); partition++) {
            RegisteredInstance pg = fleet.registerServer(partition % 2 == 0 ? "db1" : "db2", "host", partition);
            ops.createTable(pg);
            fleetOfThree.add(pg);
        }
        Set<String> ids = new HashSet<>(fleetOfThree.stream().map(p -> p.id().value()).toList());
        ServiceHost sv1 = fleet.service("sv1");
        ServiceHost sv2 = fleet.service("sv2");
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).until(() -> {
            Set<String> streamed = new HashSet<>(ops.streamedBy(sv1));
            streamed.addAll(ops.streamedBy(sv2));
            return streamed.containsAll(ids);
        });
        Set<String> onSv1 = new HashSet<>(ops.streamedBy(sv1));
        onSv1.retainAll(ids);
        assertFalse(onSv1.isEmpty(), "the two service hosts share the instances (three partitions, two members)");
        Map<String, Lsn> from = new HashMap<>();
        for (RegisteredInstance pg : fleetOfThree) {
            ops.insert(pg, 500, "before the kill");
            from.put(pg.id().value(), ops.slotStart(pg));
        }

        fleet.network().killAll(sv1.host()); // kill -9 of every process on svc-1: the services and what they run
        sv1.killed();
        Instant killed = Instant.now();
        try {
            for (RegisteredInstance pg : fleetOfThree) {
                ops.insert(pg, 500, "while svc-1 is dead");
            }
            await().atMost(TAKEOVER).pollInterval(Duration.ofMillis(500)).until(() -> ops.streamedBy(sv2).containsAll(ids));
            Duration takeover = Duration.between(killed, Instant.now());
            System.out.println("fleet: svc-2 streams every instance " + takeover.toMillis() + " ms after svc-1 was killed");
            for (RegisteredInstance pg : fleetOfThree) {
                ops.insert(pg, 500, "after the takeover");
                Lsn to = ops.currentLsn(pg);
                assertEquals(java.util.Optional.empty(), archive.awaitContiguous(pg.id(), from.get(pg.id().value()), to, pg.walSegmentSize(),
                        Duration.ofSeconds(60)), "nothing lost of " + pg.id());
            }
        } finally {
            sv1.launch();
            sv1.awaitReady();
        }
        // back: the group gives it partitions again, and no instance is streamed by both
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).until(() -> {
            Set<String> one = new HashSet<>(ops.streamedBy(sv1));
            one.retainAll(ids);
            Set<String> two = new HashSet<>(ops.streamedBy(sv2));
            two.retainAll(ids);
            Set<String> both = new HashSet<>(one);
            both.retainAll(two);
            return !one.isEmpty() && !two.isEmpty() && both.isEmpty() && one.size() + two.size() == ids.size();
        });
        for (RegisteredInstance pg : fleetOfThree) {
            assertTrue(events.all(WalGapDetected.class, g -> g.getInstanceId().equals(pg.id().value())).isEmpty(),
                    "no gap reported for " + pg.id());
        }
    }

    @Test
    @Order(3)
    void aCutLinkShowsAsArchiveLagAndTheStreamResumesFromTheSlotWithoutAGap(NetFleet fleet) throws Exception {
        RegisteredInstance pg = fleet.registerServer("db1", "cut", -1);
        ops.createTable(pg);
        ops.insert(pg, 100, "before the cut");
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                .until(() -> fleet.services().stream().anyMatch(s -> ops.streamedBy(s).contains(pg.id().value())));
        ServiceHost streamer = fleet.services().stream().filter(s -> ops.streamedBy(s).contains(pg.id().value())).findFirst().orElseThrow();
        Lsn from = ops.slotStart(pg);
        Host db1 = fleet.db("db1").host();
        // an application on db-1 itself keeps writing through the cut: its WAL waits in the slot
        Process writer = fleet.db("db1").localWriter(ops.server(pg), "orders", 20, CUT.plusSeconds(8),
                java.nio.file.Path.of("target", "fleet-logs", "db1-local-writer.log").toAbsolutePath());
        double maxLag = 0;
        try {
            Thread.sleep(2_000);
            fleet.network().cut(db1);
            Instant cutAt = Instant.now();
            while (Instant.now().isBefore(cutAt.plus(CUT))) {
                maxLag = Math.max(maxLag, ops.lagSeconds(streamer, pg.id()).orElse(0.0));
                Thread.sleep(500);
            }
        } finally {
            fleet.network().mend(db1);
        }
        assertTrue(writer.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), "the local writer finished");
        assertEquals(0, writer.exitValue(), "the local writer wrote through the cut");
        assertTrue(maxLag >= CUT.minus(NetFleet.HEARTBEAT).toSeconds() - 5,
                "the cut showed in the archive lag: " + maxLag + " s during a cut of " + CUT.toSeconds() + " s");

        Lsn to = ops.currentLsn(pg);
        assertEquals(java.util.Optional.empty(), archive.awaitContiguous(pg.id(), from, to, pg.walSegmentSize(), Duration.ofSeconds(90)),
                "the stream resumed from the slot: nothing lost");
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .until(() -> fleet.services().stream().anyMatch(s -> ops.lagSeconds(s, pg.id()).map(l -> l < 5).orElse(false)));
        assertTrue(events.all(WalGapDetected.class, g -> g.getInstanceId().equals(pg.id().value())).isEmpty(),
                "a cut link is lag, not a WAL gap");
    }

    /** Inserts a row every 50 ms and remembers when each commit returned. */
    static final class Writer {
        private final FleetOps ops;
        private final RegisteredInstance pg;
        private final ConcurrentSkipListMap<Instant, Long> committed = new ConcurrentSkipListMap<>();
        private final AtomicBoolean writing = new AtomicBoolean(true);
        private final AtomicReference<Exception> failed = new AtomicReference<>();
        private final Thread thread;

        Writer(FleetOps ops, RegisteredInstance pg) {
            this.ops = ops;
            this.pg = pg;
            this.thread = new Thread(this::write, "fleet-writer");
        }

        void start() {
            thread.start();
        }

        private void write() {
            try {
                while (writing.get()) {
                    long id = ops.insert(pg, 1, "writer");
                    committed.put(Instant.now(), id);
                    Thread.sleep(50);
                }
            } catch (Exception e) {
                failed.set(e);
            }
        }

        long lastIdCommittedBefore(Instant moment) {
            var entry = committed.floorEntry(moment);
            return entry == null ? 0 : entry.getValue();
        }

        void stop() throws Exception {
            writing.set(false);
            thread.join(30_000);
            if (failed.get() != null) {
                throw failed.get();
            }
        }
    }

    /** What describing the cluster as {@code connection} ends in: null when it was answered. */
    private static Throwable describeCluster(KafkaConnection connection) {
        Map<String, Object> config = connection.config();
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3_000);
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 4_000);
        try (Admin admin = Admin.create(config)) {
            admin.describeCluster().nodes().get(30, TimeUnit.SECONDS);
            return null;
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (Exception e) {
            return e;
        }
    }
}
