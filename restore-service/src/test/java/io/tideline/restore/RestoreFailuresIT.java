package io.tideline.restore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.tideline.core.ids.InstanceId;
import io.tideline.core.instance.ProvisionedInstance;
import io.tideline.core.kafka.Topics;
import io.tideline.core.registry.RegisteredInstance;
import io.tideline.core.storage.BucketLayout;
import io.tideline.schemas.InstanceRegistered;
import io.tideline.schemas.RestoreAccepted;
import io.tideline.schemas.RestoreCompleted;
import io.tideline.schemas.RestoreFailed;
import io.tideline.schemas.RestorePhase;
import io.tideline.schemas.RestoreProgress;
import io.tideline.testkit.BucketSeeder;
import io.tideline.testkit.Fleet;
import io.tideline.testkit.FleetExtension;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What must not go wrong: corrupt WAL fails the restore naming the object (never a silently shorter
 * history); the same request delivered again makes no second instance; a service that dies mid-restore
 * leaves no half-made instance behind once a replica takes over.
 */
@ExtendWith(FleetExtension.class)
class RestoreFailuresIT {

    @Test
    void aCorruptedWalObjectFailsTheRestoreNamingItAndLeavesNothingBehind(Fleet fleet) throws Exception {
        try (RestoreTestBed bed = new RestoreTestBed(fleet)) {
            RegisteredInstance source = bed.createSource("rotten");
            String corrupted;
            try (BucketSeeder seeder = seeded(fleet, source, 2);
                 Connection db = fleet.postgres().connect(fleet.postgres().provisioner().get(source.id()));
                 Statement st = db.createStatement()) {
                st.execute("INSERT INTO t SELECT g, 'after' FROM generate_series(1, 1000) g");
                List<BucketSeeder.SeededWal> wal = seeder.seedAllCompletedWal();
                corrupted = wal.get(wal.size() - 1).key();
                seeder.corrupt(corrupted);
            }
            bed.startService();
            String restoreId = bed.request(source.id(), "latest", null);

            RestoreFailed failed = bed.await(restoreId, RestoreFailed.class, Duration.ofMinutes(2));
            assertTrue(failed.getReason().contains(corrupted), "the reason names the object: " + failed.getReason());
            assertTrue(failed.getReason().contains("checksum mismatch") || failed.getReason().contains("fails its authentication tag"),
                    failed.getReason());
            assertTrue(failed.getReason().contains("was removed"), failed.getReason());
            String made = bed.await(restoreId, RestoreAccepted.class, Duration.ofSeconds(1)).getNewInstanceId();
            assertEquals(made, failed.getNewInstanceId());
            assertFalse(bed.instanceDirs().contains(made), "the half-made server is removed");
            assertFalse(bed.buckets().contains(BucketLayout.bucketName(InstanceId.of(made))), "its bucket is removed");
            // issue 17, finding 5: an empty secrets/instances/<new>/ directory stayed behind
            assertFalse(bed.secretDirs().contains(made), "its secrets directory is removed: " + bed.secretDirs());
            assertTrue(bed.records(Topics.INSTANCES, v -> v instanceof InstanceRegistered r && r.getInstanceId().equals(made)).isEmpty());
            assertNoOsUser(fleet, made);
        }
    }

    @Test
    void aCorruptBackupPartFailsTheRestoreNamingItAndRemovesTheHalfMadeInstance(Fleet fleet) throws Exception {
        try (RestoreTestBed bed = new RestoreTestBed(fleet)) {
            RegisteredInstance source = bed.createSource("rotpart");
            String part;
            try (BucketSeeder seeder = BucketSeeder.attach(fleet, source.id())) {
                BucketSeeder.SeededBackup backup = seeder.seedBaseBackup();
                seeder.seedWalThrough(backup.manifest().endLsn());
                part = backup.manifest().parts().get(0).key();
                seeder.corrupt(part);
            }
            bed.startService();
            String restoreId = bed.request(source.id(), "latest", null);

            RestoreFailed failed = bed.await(restoreId, RestoreFailed.class, Duration.ofMinutes(2));
            assertTrue(failed.getReason().contains(part), "the reason names the object: " + failed.getReason());
            assertTrue(failed.getReason().contains("checksum mismatch") || failed.getReason().contains("fails its authentication tag"),
                    failed.getReason());
            String made = bed.await(restoreId, RestoreAccepted.class, Duration.ofSeconds(1)).getNewInstanceId();
            assertFalse(bed.instanceDirs().contains(made), "the half-made server is removed");
            assertFalse(bed.buckets().contains(BucketLayout.bucketName(InstanceId.of(made))), "its bucket is removed");
            // issue 17, finding 5: an empty secrets/instances/<new>/ directory stayed behind
            assertFalse(bed.secretDirs().contains(made), "its secrets directory is removed: " + bed.secretDirs());
            assertNoOsUser(fleet, made);
        }
    }

    @Test
    void theSameRequestDeliveredAgainMakesNoSecondInstance(Fleet fleet) throws Exception {
        try (RestoreTestBed bed = new RestoreTestBed(fleet)) {
            RegisteredInstance source = bed.createSource("twice");
            try (BucketSeeder seeder = seeded(fleet, source, 1)) {
                seeder.seedAllCompletedWal();
            }
            bed.startService();
            String restoreId = UUID.randomUUID().toString();
            bed.request(source.id().value(), "latest", "twice-copy-" + source.id().value().substring(6), restoreId);
            bed.request(source.id().value(), "latest", "twice-copy-" + source.id().value().substring(6), restoreId);
            RestoreCompleted done = bed.await(restoreId, RestoreCompleted.class, Duration.ofMinutes(2));

            // After it finished, once more (a consumer that restarts before committing reads it again).
            bed.request(source.id().value(), "latest", "twice-copy-" + source.id().value().substring(6), restoreId);
            String probe = bed.request(InstanceId.of("no-such-instance"), "latest", null);   // same topic, answered after the third copy
            bed.await(probe, io.tideline.schemas.RestoreRejected.class, Duration.ofSeconds(60));

            assertEquals(1, bed.eventsOf(restoreId, RestoreAccepted.class).size(), "accepted once: " + bed.eventsOf(restoreId));
            assertEquals(1, bed.eventsOf(restoreId, RestoreCompleted.class).size());
            assertTrue(bed.eventsOf(restoreId, RestoreFailed.class).isEmpty());
            assertTrue(bed.eventsOf(restoreId, io.tideline.schemas.RestoreRejected.class).isEmpty(),
                    "a redelivered request is not rejected as 'name taken' either");
            assertEquals(1, bed.records(Topics.INSTANCES, v -> v instanceof InstanceRegistered r
                    && r.getInstanceId().equals(done.getNewInstanceId())).size());
            long copies = bed.instanceDirs().stream().filter(d -> d.startsWith("twice-copy-")).count();
            assertEquals(1, copies, "one instance: " + bed.instanceDirs());
        }
    }

    @Test
    void aServiceThatDiesMidRestoreLeavesNoHalfMadeInstanceOnceAReplicaTakesOver(Fleet fleet) throws Exception {
        try (RestoreTestBed bed = new RestoreTestBed(fleet)) {
            RegisteredInstance source = bed.createSource("crash");
            try (BucketSeeder seeder = seeded(fleet, source, 4)) {
                seeder.seedAllCompletedWal();
            }
            // A replica in its own JVM whose WAL fetches are slow, so it is caught in the middle of recovery.
            Path slow = Files.createTempDirectory("slow-curl", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
            Path curl = slow.resolve("curl");
            Files.writeString(curl, "#!/bin/sh\nsleep 2\nexec curl \"$@\"\n");
            Files.setPosixFilePermissions(curl, PosixFilePermissions.fromString("rwxr-xr-x"));
            Map<String, Object> props = bed.properties();
            props.put(RestoreConfiguration.PREFIX + ".curl", curl.toString());
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m"));
            props.forEach((k, v) -> command.add("-D" + k + "=" + v));
            command.addAll(List.of("-cp", System.getProperty("java.class.path"), RestoreApplication.class.getName()));
            Path log = slow.resolve("replica.log");
            Process replica = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            String restoreId;
            String made;
            try {
                restoreId = bed.request(source.id(), "latest", null);
                Awaitility.await().atMost(Duration.ofSeconds(90)).until(() -> replica.isAlive() && bed.eventsOf(restoreId, RestoreProgress.class)
                        .stream().anyMatch(p -> p.getPhase() == RestorePhase.REPLAYING_WAL && p.getWalSegmentsReplayed() >= 1)
                        || !replica.isAlive());
                assertTrue(replica.isAlive(), "the replica died on its own: " + Files.readString(log));
                made = bed.await(restoreId, RestoreAccepted.class, Duration.ofSeconds(1)).getNewInstanceId();
                assertTrue(bed.instanceDirs().contains(made), "the new instance exists while it recovers");
            } finally {
                replica.destroyForcibly().waitFor();   // SIGKILL: no shutdown hook, no goodbye
            }
            assertTrue(bed.eventsOf(restoreId).stream().noneMatch(RestoreFailuresIT::finished), "it was killed mid-restore");

            bed.startService();
            RestoreFailed failed = bed.await(restoreId, RestoreFailed.class, Duration.ofMinutes(2));
            assertTrue(failed.getReason().contains("stopped before this restore finished"), failed.getReason());
            assertTrue(failed.getReason().contains("was removed"), failed.getReason());
            assertFalse(bed.instanceDirs().contains(made), "the half-made server is gone");
            assertFalse(bed.buckets().contains(BucketLayout.bucketName(InstanceId.of(made))), "its bucket is gone");
            assertFalse(bed.secretDirs().contains(made), "its secrets directory is gone: " + bed.secretDirs());
            assertTrue(fleet.postgres().provisioner().find(InstanceId.of(made)).isEmpty());
            assertNoOsUser(fleet, made);
            Files.deleteIfExists(curl);
            Files.deleteIfExists(log);
            Files.deleteIfExists(slow);
        }
    }

    /**
     * Issue 18: recovery runs with {@code fsync=off}, which is safe only because a restore whose server crashes is
     * thrown away and done again. The recovering server is held waiting for WAL (its segment fetches wait for a
     * gate), killed with SIGKILL: the restore fails naming the stop, the half-made instance is removed, and a new
     * restore gives exactly the source's rows, with the instance's own settings in force (fsync on again).
     */
    @Test
    void aServerKilledMidRecoveryFailsItsRestoreCleanlyAndANewRestoreIsExactAndDurable(Fleet fleet) throws Exception {
        try (RestoreTestBed bed = new RestoreTestBed(fleet)) {
            RegisteredInstance source = bed.createSource("killed");
            long rows;
            try (BucketSeeder seeder = seeded(fleet, source, 2);
                 Connection db = fleet.postgres().connect(fleet.postgres().provisioner().get(source.id()));
                 Statement st = db.createStatement()) {
                seeder.seedAllCompletedWal();
                rows = count(st, "SELECT count(*) FROM t");
            }
            Path gate = Files.createTempDirectory("wal-gate", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxrwxrwx")));
            Files.setPosixFilePermissions(gate, PosixFilePermissions.fromString("rwxrwxrwx")); // the server's own OS user writes here
            Path curl = gate.resolve("curl");
            // A WAL segment's fetch waits (at most 60 s) until the gate opens; timeline history probes pass.
            Files.writeString(curl, String.join("\n", "#!/bin/sh",
                    "for last; do :; done",
                    "echo \"$last\" >> '" + gate.resolve("asked") + "'",
                    "case \"$last\" in *.history) ;; *)",
                    "  touch '" + gate.resolve("waiting") + "'; i=0",
                    "  while [ ! -e '" + gate.resolve("open") + "' ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done ;;",
                    "esac",
                    "exec curl \"$@\"", ""));
            Files.setPosixFilePermissions(curl, PosixFilePermissions.fromString("rwxr-xr-x"));
            Map<String, Object> props = bed.properties();
            props.put(RestoreConfiguration.PREFIX + ".curl", curl.toString());
            bed.startService(props);
            try {
                // Issue 18.2: the service asks its own WAL endpoint once at start, as a recovering server does (through
                // the restore command's curl), so the first restore's server does not wait on the cold HTTP path.
                Awaitility.await().atMost(Duration.ofMinutes(3)).until(() -> Files.exists(gate.resolve("asked"))
                        && Files.readString(gate.resolve("asked")).contains(".history"));
                assertTrue(Files.readString(gate.resolve("asked")).contains("/restores/"), Files.readString(gate.resolve("asked")));
                String killed = bed.request(source.id(), "latest", null);
                String made = bed.await(killed, RestoreAccepted.class, Duration.ofSeconds(60)).getNewInstanceId();
                Path pgdata = fleet.postgres().provisioner().config().instancesDir().resolve(made).resolve("pgdata");
                Awaitility.await().atMost(Duration.ofSeconds(90)).until(() -> Files.exists(gate.resolve("waiting"))
                        || bed.eventsOf(killed).stream().anyMatch(RestoreFailuresIT::finished));
                assertTrue(Files.exists(gate.resolve("waiting")), "recovery asked for WAL: " + bed.eventsOf(killed));
                String auto = Files.readString(pgdata.resolve("postgresql.auto.conf"));
                assertTrue(auto.contains("fsync = 'off'"), "recovery runs with fsync off: " + auto);
                long postmaster = Long.parseLong(Files.readAllLines(pgdata.resolve("postmaster.pid")).get(0).strip());
                assertTrue(ProcessHandle.of(postmaster).map(ProcessHandle::destroyForcibly).orElse(false), "SIGKILL to the postmaster");
                Files.createFile(gate.resolve("open")); // its orphaned startup process gets its answer and exits

                RestoreFailed failed = bed.await(killed, RestoreFailed.class, Duration.ofMinutes(2));
                assertTrue(failed.getReason().contains("stopped before it was promoted"), failed.getReason());
                assertTrue(failed.getReason().contains("was removed"), failed.getReason());
                assertFalse(bed.instanceDirs().contains(made), "the half-made server is removed");
                assertFalse(bed.buckets().contains(BucketLayout.bucketName(InstanceId.of(made))), "its bucket is removed");
                assertNoOsUser(fleet, made);

                String again = bed.request(source.id(), "latest", null);
                RestoreCompleted done = bed.await(again, RestoreCompleted.class, Duration.ofMinutes(2));
                ProvisionedInstance copy = fleet.postgres().provisioner().get(InstanceId.of(done.getNewInstanceId()));
                try (Connection restored = fleet.postgres().connect(copy); Statement st = restored.createStatement();
                     Connection db = fleet.postgres().connect(fleet.postgres().provisioner().get(source.id()));
                     Statement sourceSt = db.createStatement()) {
                    assertEquals(rows, count(st, "SELECT count(*) FROM t"), "exactly the source's rows");
                    assertEquals("on", show(st, "fsync"), "the restored instance runs with fsync on");
                    for (String setting : List.of("full_page_writes", "shared_buffers", "checkpoint_timeout", "max_wal_size",
                            "maintenance_io_concurrency", "recovery_prefetch", "synchronous_commit")) {
                        assertEquals(show(sourceSt, setting), show(st, setting), setting + " is the instance's own again");
                    }
                }
                assertFalse(Files.exists(copy.dataDir().resolveSibling("own.postgresql.auto.conf")), "nothing of the recovery settings left");
                assertFalse(Files.readString(copy.dataDir().resolve("postgresql.auto.conf")).contains("fsync"));
                assertTrue(bed.eventsOf(again, RestoreProgress.class).stream().anyMatch(p -> p.getMessage() != null
                        && p.getMessage().contains("data synced to disk")), "the restore says it synced the data");
                fleet.postgres().provisioner().destroy(copy.id());
            } finally {
                Files.deleteIfExists(gate.resolve("open"));
                Files.deleteIfExists(gate.resolve("waiting"));
                Files.deleteIfExists(gate.resolve("asked"));
                Files.deleteIfExists(curl);
                Files.deleteIfExists(gate);
            }
        }
    }

    private static long count(Statement st, String sql) throws java.sql.SQLException {
        try (java.sql.ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static String show(Statement st, String setting) throws java.sql.SQLException {
        try (java.sql.ResultSet rs = st.executeQuery("SHOW " + setting)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static boolean finished(SpecificRecord e) {
        return e instanceof RestoreCompleted || e instanceof RestoreFailed;
    }

    /** A backup, then {@code walSegments} rounds of about a segment of rows, each round's WAL seeded. */
    private static BucketSeeder seeded(Fleet fleet, RegisteredInstance source, int walSegments) throws Exception {
        BucketSeeder seeder = BucketSeeder.attach(fleet, source.id());
        try (Connection db = fleet.postgres().connect(fleet.postgres().provisioner().get(source.id()));
             Statement st = db.createStatement()) {
            st.execute("CREATE TABLE t (g int, pad text)");
            BucketSeeder.SeededBackup backup = seeder.seedBaseBackup();
            seeder.seedWalThrough(backup.manifest().endLsn());
            for (int i = 0; i < walSegments; i++) {
                st.execute("INSERT INTO t SELECT g, repeat(md5(g::text), 8) FROM generate_series(1, 25000) g");
                seeder.seedAllCompletedWal();
            }
        }
        return seeder;
    }

    /** Issue 17, finding 3: the new instance's own OS user (made when we are root) goes with it. */
    private static void assertNoOsUser(Fleet fleet, String instance) throws IOException {
        Optional<String> user = fleet.postgres().provisioner().serverUserOf(InstanceId.of(instance));
        if (user.isPresent()) {
            try {
                FileSystems.getDefault().getUserPrincipalLookupService().lookupPrincipalByName(user.get());
                fail("the OS user " + user.get() + " of the half-made instance " + instance + " is left");
            } catch (UserPrincipalNotFoundException expected) {
                // removed with the instance
            }
        }
    }
}
