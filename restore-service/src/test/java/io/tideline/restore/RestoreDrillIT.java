package io.tideline.restore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.runtime.server.EmbeddedServer;
import io.tideline.core.ids.InstanceId;
import io.tideline.core.kafka.Topics;
import io.tideline.core.registry.DrillPolicy;
import io.tideline.core.registry.InstanceOnboarding;
import io.tideline.core.registry.RegisteredInstance;
import io.tideline.core.storage.BucketLayout;
import io.tideline.restore.drill.DrillConfiguration;
import io.tideline.schemas.InstanceRegistered;
import io.tideline.schemas.RestoreDrillCompleted;
import io.tideline.schemas.RestoreDrillFailed;
import io.tideline.schemas.RestoreDrillPhaseTime;
import io.tideline.schemas.RestoreDrillRun;
import io.tideline.testkit.BucketSeeder;
import io.tideline.testkit.Fleet;
import io.tideline.testkit.FleetExtension;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.avro.specific.SpecificRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 15, part 2: restore drills on a short policy, with the real restore service, Kafka, S3 server and
 * PostgreSQL. One service drills two instances: a healthy one passes (both moments restored, promoted,
 * pg_amcheck clean, checksums verified, the owner's probe answers), one whose backup part was damaged in the
 * bucket fails and says which object; neither leaves a copy, a bucket, a secret or a server process behind, and
 * neither shows up as a user's restore or a registered instance.
 */
@ExtendWith(FleetExtension.class)
class RestoreDrillIT {

    private static final Duration POLICY = Duration.ofSeconds(15);

    @Test
    void aDrillOnAShortPolicyPassesOnAHealthyInstanceFailsNamingTheDamagedPartAndLeavesNothingBehind(Fleet fleet) throws Exception {
        try (RestoreTestBed bed = new RestoreTestBed(fleet)) {
            DrillPolicy policy = DrillPolicy.every(POLICY).withProbe("SELECT count(*) FROM kept", "1000");
            RegisteredInstance healthy = bed.createSource("drillok",
                    InstanceOnboarding.Options.defaults().withRestoreDrill(policy));
            RegisteredInstance damaged = bed.createSource("drillbad",
                    InstanceOnboarding.Options.defaults().withRestoreDrill(DrillPolicy.every(POLICY)));
            RegisteredInstance off = bed.createSource("drilloff",
                    InstanceOnboarding.Options.defaults().withRestoreDrill(DrillPolicy.off()));
            seedHealthy(fleet, healthy);
            String part = seedDamaged(fleet, damaged);
            Set<String> instancesBefore = bed.instanceDirs();
            // what a replica killed mid-drill leaves: an unregistered copy of an instance it owned
            InstanceId left = InstanceId.of(healthy.id().value() + "-d-deadbeef");
            fleet.postgres().provisioner().allocate(left);
            assertTrue(bed.instanceDirs().contains(left.value()));

            Map<String, Object> props = bed.properties();
            // The JVM's test Kafka carries other restore ITs' requests; from the topic's start this service would
            // restore them too and leave their copies among the directories this test counts. Drills need no request.
            props.put("kafka.consumers." + bed.groupId + ".auto.offset.reset", "latest");
            props.put(DrillConfiguration.PREFIX + ".check-interval", "1s");
            EmbeddedServer service = bed.startService(props);

            RestoreDrillCompleted passed = awaitDrill(bed, healthy, RestoreDrillCompleted.class);
            RestoreDrillFailed failed = awaitDrill(bed, damaged, RestoreDrillFailed.class);

            // on schedule: not before one policy period after registration
            assertFalse(passed.getStartedAt().isBefore(healthy.registeredAt().plus(POLICY)), "drilled too early: " + passed);
            assertFalse(failed.getStartedAt().isBefore(damaged.registeredAt().plus(POLICY)), "drilled too early: " + failed);

            // the healthy instance: both moments, every check, the RTO per phase
            assertEquals(List.of("oldest", "random"), passed.getRuns().stream().map(RestoreDrillRun::getTarget).toList());
            assertEquals(policy.toEvent(), passed.getPolicy());
            for (RestoreDrillRun run : passed.getRuns()) {
                List<String> phases = run.getPhases().stream().map(RestoreDrillPhaseTime::getPhase).toList();
                assertEquals(List.of("PROVISIONING", "RESTORING_BACKUP", "REPLAYING_WAL", "PROMOTING", "VERIFYING", "CHECKING"),
                        phases, run.toString());
                assertTrue(run.getRtoMillis() > 0, run.toString());
                String checks = String.join(" | ", run.getChecks());
                assertTrue(checks.contains("promoted on timeline 2"), checks);
                assertTrue(checks.contains("probe query returned '1000' as expected"), checks);
                assertTrue(checks.contains("pg_amcheck: heap and B-tree indexes of every database clean"), checks);
                assertTrue(checks.contains("every block verified by pg_checksums"), checks);
            }
            assertEquals(passed.getRuns().stream().mapToLong(RestoreDrillRun::getRtoMillis).max().orElseThrow(), passed.getRtoMillis());

            // the damaged one: fails, and says which object and that the copy is gone
            assertTrue(failed.getReason().contains(part), "names the damaged part: " + failed.getReason());
            assertTrue(failed.getReason().contains("checksum mismatch"), failed.getReason());
            assertTrue(failed.getReason().contains("was removed"), failed.getReason());
            assertEquals("oldest", failed.getFailedTarget());

            // drills off: never drilled
            assertTrue(drills(bed, off).isEmpty(), "an instance with drills off was drilled: " + drills(bed, off));

            // the metric: the time of the last good drill, per instance
            MeterRegistry meters = service.getApplicationContext().getBean(MeterRegistry.class);
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() ->
                    meters.find("tideline.restore.drill.last.success.timestamp").tag("instance", damaged.id().value()).gauge() != null);
            assertEquals(passed.getOccurredAt().toEpochMilli() / 1000.0, meters.find("tideline.restore.drill.last.success.timestamp")
                    .tag("instance", healthy.id().value()).gauge().value(), 0.001);
            assertTrue(Double.isNaN(meters.find("tideline.restore.drill.last.success.timestamp").tag("instance", damaged.id().value())
                    .gauge().value()), "never proven: NaN");

            assertFalse(bed.instanceDirs().contains(left.value()), "a copy left by a stopped replica is removed");

            // the Backups view: "last proven restorable" on the page and in the API, the failure on the damaged one's
            String base = "http://127.0.0.1:" + service.getPort();
            String auth = io.tideline.restore.access.People.admin(service.getApplicationContext(), base); // issue 14.2
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> get(base + "/api/instances/" + healthy.id() + "/backups", auth)
                    .contains(passed.getDrillId()));
            String page = get(base + "/backups/" + healthy.id(), auth);
            assertTrue(page.contains("Last proven restorable: 20"), page); // followed by the UTC time
            assertTrue(page.contains(passed.getDrillId()), page);
            assertTrue(page.contains("restore drills every PT15S"), page);
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> get(base + "/backups/" + damaged.id(), auth)
                    .contains("Last restore drill failed at"));
            assertTrue(get(base + "/backups/" + damaged.id(), auth).contains("Last proven restorable: never"));

            // not a user's restore, never registered, nothing left behind
            // the test bed's Kafka is shared with other restore tests: only events about the drilled instances count
            Set<String> drilled = Set.of(healthy.id().value(), damaged.id().value());
            java.util.function.Predicate<org.apache.avro.specific.SpecificRecord> aboutDrilled = v ->
                    v.getSchema().getField("instanceId") != null
                            && drilled.contains(String.valueOf(v.get(v.getSchema().getField("instanceId").pos())));
            assertTrue(bed.records(Topics.RESTORE_EVENTS, aboutDrilled).isEmpty(), "a drill is not a user's restore: "
                    + bed.records(Topics.RESTORE_EVENTS, aboutDrilled));
            Set<String> copies = passed.getRuns().stream().map(RestoreDrillRun::getDrillInstanceId).collect(Collectors.toSet());
            assertEquals(2, copies.size(), copies.toString());
            assertTrue(bed.records(Topics.INSTANCES, v -> v instanceof InstanceRegistered r
                    && r.getInstanceId().contains("-d-")).isEmpty(), "a drill copy was registered");
            bed.stop(service);
            assertEquals(instancesBefore, bed.instanceDirs(), "drill copies left a server directory");
            assertTrue(bed.secretDirs().stream().noneMatch(d -> d.contains("-d-")), "drill secrets left: " + bed.secretDirs());
            assertTrue(bed.buckets().stream().noneMatch(b -> b.contains("-d-")), "drill buckets left: " + bed.buckets());
            for (String copy : copies) {
                assertFalse(bed.buckets().contains(BucketLayout.bucketName(InstanceId.of(copy))), copy);
            }
            assertEquals("", serverProcessesOfCopies(), "a drill copy's server still runs");
        }
    }

    private static <T extends SpecificRecord> T awaitDrill(RestoreTestBed bed, RegisteredInstance instance, Class<T> type) {
        Awaitility.await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofMillis(500))
                .until(() -> !drills(bed, instance).isEmpty());
        SpecificRecord first = drills(bed, instance).get(0);
        assertTrue(type.isInstance(first), "the first drill of " + instance.id() + " should be " + type.getSimpleName() + ": " + first);
        return type.cast(first);
    }

    private static List<SpecificRecord> drills(RestoreTestBed bed, RegisteredInstance instance) {
        return bed.records(Topics.TIMELINE, v -> (v instanceof RestoreDrillCompleted c && c.getInstanceId().equals(instance.id().value()))
                || (v instanceof RestoreDrillFailed f && f.getInstanceId().equals(instance.id().value())));
    }

    /** A backup with 1000 rows in {@code kept}, then about two segments of other writes, all WAL stored. */
    private static void seedHealthy(Fleet fleet, RegisteredInstance source) throws Exception {
        try (BucketSeeder seeder = BucketSeeder.attach(fleet, source.id());
             Connection db = fleet.postgres().connect(fleet.postgres().provisioner().get(source.id()));
             Statement st = db.createStatement()) {
            st.execute("CREATE TABLE kept (g int PRIMARY KEY, pad text)");
            st.execute("INSERT INTO kept SELECT g, md5(g::text) FROM generate_series(1, 1000) g");
            st.execute("CREATE TABLE later (g int, pad text)");
            st.execute("CREATE INDEX later_g ON later (g)");
            BucketSeeder.SeededBackup backup = seeder.seedBaseBackup();
            seeder.seedWalThrough(backup.manifest().endLsn());
            for (int i = 0; i < 2; i++) {
                st.execute("INSERT INTO later SELECT g, repeat(md5(g::text), 8) FROM generate_series(1, 25000) g");
                seeder.seedAllCompletedWal();
            }
        }
    }

    /** A backup whose first part is then damaged in the bucket; returns the part's key. */
    private static String seedDamaged(Fleet fleet, RegisteredInstance source) throws Exception {
        try (BucketSeeder seeder = BucketSeeder.attach(fleet, source.id())) {
            BucketSeeder.SeededBackup backup = seeder.seedBaseBackup();
            seeder.seedWalThrough(backup.manifest().endLsn());
            String part = backup.manifest().parts().get(0).key();
            seeder.corrupt(part);
            return part;
        }
    }

    private static String get(String url, String auth) throws IOException, InterruptedException {
        return java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url))
                        .header("Authorization", auth).GET().build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body();
    }

    private static String serverProcessesOfCopies() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("pgrep", "-af", "postgres -D .*-d-[0-9a-f]{8}").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        p.waitFor();
        return out;
    }
}
