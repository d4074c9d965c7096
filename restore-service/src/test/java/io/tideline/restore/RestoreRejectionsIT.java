package io.tideline.restore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tideline.core.ids.InstanceId;
import io.tideline.core.instance.ProvisionedInstance;
import io.tideline.core.kafka.Topics;
import io.tideline.core.registry.RegisteredInstance;
import io.tideline.schemas.DeadLetter;
import io.tideline.schemas.RestoreAccepted;
import io.tideline.schemas.RestoreRejected;
import io.tideline.schemas.RestoreRequested;
import io.tideline.schemas.serde.EventCodec;
import io.tideline.testkit.BucketSeeder;
import io.tideline.testkit.Fleet;
import io.tideline.testkit.FleetExtension;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every kind of bad request is answered with {@code RestoreRejected} and a reason a person understands,
 * and provisions nothing; records that cannot be answered at all go to the dead letters, and the service
 * goes on with the next request.
 */
@ExtendWith(FleetExtension.class)
class RestoreRejectionsIT {

    @Test
    void badRequestsAreRejectedWithAReasonAndProvisionNothing(Fleet fleet) throws Exception {
        try (RestoreTestBed bed = new RestoreTestBed(fleet)) {
            RegisteredInstance source = bed.createSource("reject");
            Instant windowFrom;
            Instant windowTo;
            try (BucketSeeder seeder = BucketSeeder.attach(fleet, source.id());
                 Connection db = fleet.postgres().connect(fleet.postgres().provisioner().get(source.id()));
                 Statement st = db.createStatement()) {
                st.execute("CREATE TABLE t AS SELECT g FROM generate_series(1, 1000) g");
                BucketSeeder.SeededBackup backup = seeder.seedBaseBackup();
                windowFrom = backup.manifest().finishedAt();
                List<BucketSeeder.SeededWal> wal = seeder.seedAllCompletedWal();
                windowTo = wal.get(wal.size() - 1).object().lastModified();
            }
            RegisteredInstance empty = bed.createSource("reject-empty");            // registered, nothing backed up
            RegisteredInstance gone = bed.createSource("reject-gone");
            fleet.onboarding().remove(gone.id());                                   // removed: tombstoned, server and bucket gone
            ProvisionedInstance unregistered = fleet.postgres().create("reject-unregistered"); // a server nobody registered

            bed.startService();
            Set<String> dirsBefore = bed.instanceDirs();
            Set<String> bucketsBefore = bed.buckets();

            Map<String, List<String>> expected = new LinkedHashMap<>();
            expected.put(bed.request(InstanceId.of("no-such-instance"), "latest", null), List.of("unknown instance 'no-such-instance'"));
            expected.put(bed.request(gone.id(), "latest", null), List.of("unknown instance '" + gone.id() + "'", "removed"));
            expected.put(bed.request(source.id(), "next tuesday", null), List.of("not a time Tideline understands", "2026-11-24T08:15:30Z"));
            expected.put(bed.request(source.id(), "2026-11-24T08:15:30", null), List.of("no time zone", "add Z"));
            expected.put(bed.request(source.id(), windowFrom.minusSeconds(3600).toString(), null),
                    List.of("is before the restorable window of " + source.id(), windowFrom.toString()));
            expected.put(bed.request(source.id(), windowTo.plusSeconds(3600).toString(), null),
                    List.of("is after the newest stored WAL of " + source.id(), "in the future"));
            expected.put(bed.request(source.id(), "latest", source.id().value()),
                    List.of("'" + source.id() + "' is already taken by registered instance " + source.id()));
            expected.put(bed.request(source.id(), "latest", unregistered.id().value()),
                    List.of("already taken by an existing server " + unregistered.id()));
            expected.put(bed.request(source.id(), "latest", "Copy Of Orders"), List.of("'Copy Of Orders' cannot name an instance"));
            expected.put(bed.request(empty.id(), "latest", null), List.of("has nothing restorable yet", "no complete base backup"));

            for (Map.Entry<String, List<String>> e : expected.entrySet()) {
                RestoreRejected rejected = bed.await(e.getKey(), RestoreRejected.class, Duration.ofSeconds(60));
                for (String part : e.getValue()) {
                    assertTrue(rejected.getReason().contains(part), "'" + part + "' not in: " + rejected.getReason());
                }
                assertTrue(bed.eventsOf(e.getKey(), RestoreAccepted.class).isEmpty());
            }
            assertEquals(dirsBefore, bed.instanceDirs(), "no server was allocated for a rejected request");
            assertEquals(bucketsBefore, bed.buckets(), "no bucket was made for a rejected request");
            fleet.postgres().provisioner().destroy(unregistered.id());
        }
    }

    @Test
    void recordsThatCannotBeAnsweredGoToTheDeadLettersAndTheServiceGoesOn(Fleet fleet) {
        try (RestoreTestBed bed = new RestoreTestBed(fleet)) {
            bed.startService();
            Properties props = new Properties();
            props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, fleet.kafka().bootstrapServers());
            props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
            props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
            String garbageKey = "garbage-" + UUID.randomUUID();
            String noIdKey = "noid-" + UUID.randomUUID().toString().substring(0, 8);
            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props)) {
                producer.send(new ProducerRecord<>(Topics.RESTORE_REQUESTS, garbageKey,
                        "{\"restore\": \"please\"}".getBytes(StandardCharsets.UTF_8))).get();
                RestoreRequested noId = RestoreRequested.newBuilder().setEventId(UUID.randomUUID()).setInstanceId(noIdKey)
                        .setOccurredAt(Instant.now()).setRestoreId("").setTarget("latest").setRequestedBy("it").build();
                producer.send(new ProducerRecord<>(Topics.RESTORE_REQUESTS, noIdKey, EventCodec.standard().encode(noId))).get();
            } catch (Exception e) {
                throw new AssertionError(e);
            }
            // Same key as the garbage (same partition, after it): answered, so the consumer went past the bad records.
            String after = bed.request(garbageKey, "latest", null, UUID.randomUUID().toString());

            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> deadLetters(bed, garbageKey).size() == 1
                    && deadLetters(bed, noIdKey).size() == 1);
            DeadLetter undecodable = deadLetters(bed, garbageKey).get(0);
            assertEquals(Topics.RESTORE_REQUESTS, undecodable.getTopic());
            assertTrue(undecodable.getConsumerGroup().equals(bed.groupId), undecodable.toString());
            DeadLetter unanswerable = deadLetters(bed, noIdKey).get(0);
            assertTrue(unanswerable.getError().contains("not a valid restore id"), unanswerable.getError());
            assertEquals(1, unanswerable.getAttempts(), "a record that can never be answered is not retried");

            RestoreRejected rejected = bed.await(after, RestoreRejected.class, Duration.ofSeconds(60));
            assertTrue(rejected.getReason().contains("unknown instance"), rejected.getReason());
        }
    }

    private static List<DeadLetter> deadLetters(RestoreTestBed bed, String key) {
        return bed.records(Topics.DEAD_LETTERS, v -> v instanceof DeadLetter d && key.equals(d.getKey()))
                .stream().map(DeadLetter.class::cast).toList();
    }
}
