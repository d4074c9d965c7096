package io.tideline.restore.view;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import io.tideline.core.changes.ChangeIndex;
import io.tideline.core.changes.IndexedTransaction;
import io.tideline.core.changes.Relation;
import io.tideline.core.changes.RelationRows;
import io.tideline.core.ids.BackupId;
import io.tideline.core.ids.InstanceId;
import io.tideline.core.inventory.BucketInventoryReader;
import io.tideline.core.kafka.TopicCreator;
import io.tideline.core.kafka.Topics;
import io.tideline.core.kafka.TopicsConfiguration;
import io.tideline.core.registry.InstanceOnboarding;
import io.tideline.core.storage.BucketLayout;
import io.tideline.core.window.RestorableWindow;
import io.tideline.schemas.BackupFailed;
import io.tideline.schemas.RestoreAccepted;
import io.tideline.schemas.RestoreCompleted;
import io.tideline.schemas.RestorePhase;
import io.tideline.schemas.RestoreProgress;
import io.tideline.schemas.RestoreRequested;
import io.tideline.schemas.serde.EventCodec;
import io.tideline.schemas.serde.EventCodecException;
import io.tideline.testkit.BucketSeeder;
import io.tideline.testkit.Fleet;
import io.tideline.testkit.FleetExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
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
 * The Backups view against real Kafka, S3 and PostgreSQL: an onboarded instance whose bucket holds
 * seeded backups and WAL; the JSON API reports exactly what the bucket and the window say, the restore
 * form's POST publishes a valid {@code RestoreRequested}, and the restore's status follows its events.
 */
@ExtendWith(FleetExtension.class)
class BackupsViewIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private final HttpClient http = HttpClient.newHttpClient();
    private String auth;
    private final ObjectMapper json = new ObjectMapper();
    private final EventCodec codec = EventCodec.standard();

    @Test
    void historyWindowAndARestoreRequestedFromTheView(Fleet fleet) throws Exception {
        try (Admin admin = fleet.kafka().adminClient()) {
            new TopicCreator(admin, Duration.ofSeconds(30)).ensure(Topics.specs(TopicsConfiguration.defaults()));
        }
        InstanceId id = fleet.postgres().newId("view");
        fleet.onboarding().create(id, "orders", new InstanceOnboarding.Options(Optional.empty(), Optional.of(7)));
        BucketSeeder.SeededBackup first;
        BucketSeeder.SeededBackup second;
        BucketSeeder.SeededWal partial;
        try (BucketSeeder seeder = BucketSeeder.attach(fleet, id)) {
            write(fleet, seeder);
            first = seeder.seedBaseBackup();
            seeder.seedAllCompletedWal();
            write(fleet, seeder);
            second = seeder.seedBaseBackup();
            seeder.seedAllCompletedWal();
            write(fleet, seeder);
            partial = seeder.seedPartial().orElseThrow();
        }
        BackupId failed = BackupId.of(Instant.now(), "fail01");
        fleet.publisher().publishAndWait(Topics.TIMELINE, id.value(), BackupFailed.newBuilder().setEventId(UUID.randomUUID())
                .setInstanceId(id.value()).setOccurredAt(Instant.now()).setBackupId(failed.value())
                .setCommandId("daily:" + id + ":2026-11-24").setStartedAt(null).setReason("pg_basebackup: connection refused").build());
        RestorableWindow expected = RestorableWindow.of(new BucketInventoryReader(BucketLayout.DEFAULT)
                .read(fleet.objectStores().forInstance(id)).inventory());

        Map<String, Object> props = new HashMap<>(fleet.serviceProperties());
        props.put("spec.name", "BackupsViewIT");
        props.put("tideline.restore.enabled", "false"); // only the view: no restore worker in this test
        try (ApplicationContext ctx = ApplicationContext.run(props);
             Requests requests = new Requests(fleet.kafka().bootstrapServers())) {
            EmbeddedServer server = ctx.getBean(EmbeddedServer.class).start();
            String base = "http://127.0.0.1:" + server.getPort();
            auth = io.tideline.restore.access.People.admin(ctx, base); // issue 14.2: the view's API needs a signed-in person

            // The instances.
            await().atMost(WAIT).until(() -> get(base + "/api/instances").body().contains(id.value()));
            JsonNode listed = find(json.readTree(get(base + "/api/instances").body()), "id", id.value());
            assertEquals("orders", listed.get("name").asText());
            assertEquals(7, listed.get("retentionDays").asInt());
            assertEquals("tideline-" + id, listed.get("bucket").asText());

            // The history: both backups, newest first, restorable; the window; the newest WAL; the failure.
            JsonNode view = await().atMost(WAIT).until(() -> json.readTree(get(base + "/api/instances/" + id + "/backups").body()),
                    v -> v.get("failures").size() == 1);
            JsonNode backups = view.get("backups");
            assertEquals(2, backups.size(), backups.toString());
            assertEquals(second.backupId().value(), backups.get(0).get("backupId").asText());
            assertEquals(first.backupId().value(), backups.get(1).get("backupId").asText());
            for (int i = 0; i < 2; i++) {
                BucketSeeder.SeededBackup b = i == 0 ? second : first;
                JsonNode row = backups.get(i);
                assertEquals("RESTORABLE", row.get("status").asText(), row.toString());
                assertEquals(b.manifest().startLsn().toString(), row.get("startLsn").asText());
                assertEquals(b.manifest().endLsn().toString(), row.get("endLsn").asText());
                assertEquals(b.manifest().finishedAt().toString(), row.get("finishedAt").asText());
                assertEquals(1, row.get("timeline").asLong());
            }
            assertEquals(first.manifest().finishedAt().toString(), view.get("window").get("from").asText());
            assertEquals(expected.to().orElseThrow().toString(), view.get("window").get("to").asText());
            assertEquals(1, view.get("window").get("ranges").size());
            assertEquals(partial.segment().toString(), view.get("newestWal").get("segment").asText());
            assertTrue(view.get("newestWal").get("partial").asBoolean());
            assertEquals(partial.endLsn().toString(), view.get("newestWal").get("endLsn").asText());
            assertEquals(failed.value(), view.get("failures").get(0).get("backupId").asText());
            assertTrue(Instant.parse(view.get("generatedAt").asText()).isAfter(first.manifest().finishedAt()), "UTC ISO-8601");

            // The form's POST: a RestoreRequested on tideline.restore-requests, keyed by the instance.
            Instant target = first.manifest().finishedAt().plusMillis(
                    Duration.between(first.manifest().finishedAt(), expected.to().orElseThrow()).toMillis() / 2);
            HttpResponse<String> posted = post(base + "/api/instances/" + id + "/restores",
                    "{\"target\":\"" + target + "\",\"name\":\"orders-copy\"}");
            assertEquals(202, posted.statusCode(), posted.body());
            JsonNode ticket = json.readTree(posted.body());
            String restoreId = ticket.get("restoreId").asText();
            UUID.fromString(restoreId);
            assertEquals("/api/restores/" + restoreId, ticket.get("statusUrl").asText());
            ConsumerRecord<String, RestoreRequested> request = requests.await(restoreId);
            assertEquals(id.value(), request.key());
            RestoreRequested r = request.value();
            assertEquals(id.value(), r.getInstanceId());
            assertEquals(target.toString(), r.getTarget());
            assertEquals("orders-copy", r.getNewName());
            assertEquals("user:it-admin", r.getRequestedBy(), "the signed-in person, written by the server");
            assertEquals(RestoreStatus.REQUESTED, json.readTree(get(base + ticket.get("statusUrl").asText()).body()).get("state").asText());

            // The restore's progress as the restore service would publish it.
            String newId = "orders-copy-1";
            publish(fleet, id, RestoreAccepted.newBuilder().setEventId(UUID.randomUUID()).setInstanceId(id.value())
                    .setOccurredAt(Instant.now()).setRestoreId(restoreId).setNewInstanceId(newId)
                    .setBackupId(first.backupId().value()).setTarget(target.toString()).build());
            publish(fleet, id, RestoreProgress.newBuilder().setEventId(UUID.randomUUID()).setInstanceId(id.value())
                    .setOccurredAt(Instant.now()).setRestoreId(restoreId).setPhase(RestorePhase.REPLAYING_WAL)
                    .setBytesDone(50).setBytesTotal(100L).setWalSegmentsReplayed(3).setMessage("replaying WAL").build());
            JsonNode running = await().atMost(WAIT).until(() -> json.readTree(get(base + "/api/restores/" + restoreId).body()),
                    s -> s.get("state").asText().equals(RestoreStatus.IN_PROGRESS));
            assertEquals("REPLAYING_WAL", running.get("phase").asText());
            assertEquals(newId, running.get("newInstanceId").asText());
            assertEquals(first.backupId().value(), running.get("backupId").asText());
            publish(fleet, id, RestoreCompleted.newBuilder().setEventId(UUID.randomUUID()).setInstanceId(id.value())
                    .setOccurredAt(Instant.now()).setRestoreId(restoreId).setNewInstanceId(newId).setHost("127.0.0.1")
                    .setPort(54321).setDatabase("postgres").setUser("tideline_admin")
                    .setSecretRef("instances/" + newId + "/admin").setRecoveredTo(target).setWalReplayedThroughSegment(null).build());
            JsonNode done = await().atMost(WAIT).until(() -> json.readTree(get(base + "/api/restores/" + restoreId).body()),
                    s -> s.get("state").asText().equals(RestoreStatus.COMPLETED));
            assertEquals(54321, done.get("connection").get("port").asInt());
            assertEquals(target.truncatedTo(java.time.temporal.ChronoUnit.MILLIS).toString(), done.get("recoveredTo").asText(), "Avro keeps milliseconds");
            assertEquals(4, done.get("history").size(), done.get("history").toString());

            // Every other kind of target goes through as typed, with its exclusiveness (targets the window holds:
            // the API checks them before it publishes, issue 16; refusals are RestoreApiIT's).
            String lsn = "lsn:" + second.manifest().endLsn();
            HttpResponse<String> position = post(base + "/api/instances/" + id + "/restores", "{\"target\":\"" + lsn + "\",\"exclusive\":true}");
            assertEquals(202, position.statusCode(), position.body());
            JsonNode positionTicket = json.readTree(position.body());
            assertTrue(positionTicket.get("exclusive").asBoolean());
            RestoreRequested positionRequest = requests.await(positionTicket.get("restoreId").asText()).value();
            assertEquals(lsn, positionRequest.getTarget());
            assertTrue(positionRequest.getExclusive());
            HttpResponse<String> immediate = post(base + "/api/instances/" + id + "/restores", "{\"target\":\"immediate\"}");
            assertEquals(202, immediate.statusCode(), immediate.body());
            RestoreRequested immediateRequest = requests.await(json.readTree(immediate.body()).get("restoreId").asText()).value();
            assertEquals("immediate", immediateRequest.getTarget());
            assertFalse(immediateRequest.getExclusive(), "inclusive unless asked");

            // Refusals: unknown instance, missing target, unknown restore.
            assertEquals(404, post(base + "/api/instances/no-such-instance/restores", "{\"target\":\"latest\"}").statusCode());
            assertEquals(400, post(base + "/api/instances/" + id + "/restores", "{\"name\":\"x\"}").statusCode());
            assertEquals(404, get(base + "/api/restores/" + UUID.randomUUID()).statusCode());
            assertEquals(404, get(base + "/api/instances/no-such-instance/backups").statusCode());

            // The undo finder (issue 15): a change index beside the newest WAL, as the archiver stores it.
            Instant deletedAt = target;
            IndexedTransaction deleting = new IndexedTransaction(1, 4711, partial.endLsn(), deletedAt, true,
                    List.of(new RelationRows(new Relation(1663, 5, 16384, "postgres", "public", "orders", "r"), 39_978)),
                    List.of(), List.of(), List.of());
            fleet.objectStores().forInstance(id).put(BucketLayout.DEFAULT.changeIndex(partial.segment(), true),
                    ChangeIndex.of(1, partial.segment().toString(), true, partial.segment().startLsn(), partial.endLsn(),
                            List.of(deleting)).toStored(), Map.of());
            HttpResponse<String> changesResponse = get(base + "/api/instances/" + id + "/changes");
            assertEquals(200, changesResponse.statusCode(), changesResponse.body());
            JsonNode changes = json.readTree(changesResponse.body());
            assertEquals(1, changes.get("transactions").size(), changes.toString());
            JsonNode change = changes.get("transactions").get(0);
            assertEquals(4711, change.get("xid").asLong());
            assertEquals("deleted 39,978 rows of public.orders", change.get("summary").get(0).asText());
            assertEquals("xid:4711", change.get("undoTarget").asText());
            HttpResponse<String> bigOnly = get(base + "/api/instances/" + id + "/changes?minRows=40000");
            assertEquals(200, bigOnly.statusCode(), bigOnly.body());
            assertEquals(0, json.readTree(bigOnly.body()).get("transactions").size(), bigOnly.body());
            assertEquals(400, get(base + "/api/instances/" + id + "/changes?since=yesterday").statusCode());
            assertEquals(404, get(base + "/api/instances/no-such-instance/changes").statusCode());

            // The pages a person uses.
            HttpResponse<String> list = get(base + "/backups");
            assertEquals(200, list.statusCode());
            assertTrue(list.headers().firstValue("content-type").orElse("").startsWith("text/html"));
            assertTrue(list.body().contains("href=\"/backups/" + id + "\""), list.body());
            HttpResponse<String> page = get(base + "/backups/" + id);
            assertEquals(200, page.statusCode());
            assertTrue(page.body().contains("Restore to a point in time"));
            assertTrue(page.body().contains("id=\"target\""), "the target as UTC text, no browser date picker");
            assertTrue(page.body().contains("id=\"other\"") && page.body().contains("id=\"exclusive\""), "every other kind of target");
            assertTrue(page.body().contains(first.backupId().value()) && page.body().contains(second.backupId().value()));
            assertTrue(page.body().contains(ViewTimes.range(expected.from().orElseThrow(), expected.to().orElseThrow())[0]),
                    "the window's start");
            assertTrue(page.body().contains("data-api=\"/api/instances/" + id + "/restores\""));
            assertTrue(page.body().contains("deleted 39,978 rows of public.orders"), "the undo finder's list");
            assertTrue(page.body().contains("data-target=\"xid:4711\">Restore to just before this transaction</button>"),
                    "offered (not disabled): the DELETE lies inside the window");
            assertEquals(404, get(base + "/backups/no-such-instance").statusCode());
            // "/" is the view (issue 16: it was a JSON 404); "back up now" of an unknown instance is a problem.
            HttpResponse<String> root = get(base + "/");
            assertEquals(303, root.statusCode());
            assertEquals("/backups", root.headers().firstValue("location").orElse(""));
            HttpResponse<String> noBackup = post(base + "/api/instances/no-such-instance/backups", "");
            assertEquals(404, noBackup.statusCode());
            assertTrue(noBackup.headers().firstValue("content-type").orElse("").startsWith("application/problem+json"), noBackup.headers().toString());
            assertTrue(noBackup.body().contains("\"detail\":\"no instance no-such-instance is registered\""), noBackup.body());
            HttpResponse<String> css = get(base + "/backups/assets/backups.css");
            assertEquals(200, css.statusCode());
            assertTrue(css.headers().firstValue("content-type").orElse("").startsWith("text/css"));
            assertEquals(404, get(base + "/backups/assets/..%2Fviews%2Fbackups%2Finstance.html").statusCode());

            String shot = System.getProperty("tideline.view.snapshot");
            if (shot != null) {
                // For a look with a browser: -Dtideline.view.snapshot=/tmp/backups.html
                Files.writeString(Path.of(shot), page.body());
            }
        }
    }

    // ---------------------------------------------------------------------------------------------

    private static void write(Fleet fleet, BucketSeeder seeder) throws Exception {
        try (Connection c = fleet.postgres().connect(seeder.instance()); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS orders (id bigserial PRIMARY KEY, note text)");
            s.execute("INSERT INTO orders (note) SELECT repeat('o', 100) FROM generate_series(1, 2000)");
        }
    }

    private static void publish(Fleet fleet, InstanceId id, SpecificRecord event) {
        fleet.publisher().publishAndWait(Topics.RESTORE_EVENTS, id.value(), event);
    }

    private static JsonNode find(JsonNode array, String field, String value) {
        for (JsonNode n : array) {
            if (n.get(field).asText().equals(value)) {
                return n;
            }
        }
        throw new AssertionError("no element with " + field + "=" + value + " in " + array);
    }

    private HttpResponse<String> get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", auth).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String url, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json").header("Authorization", auth)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Reads {@code tideline.restore-requests} from the beginning, decoding as the restore service would. */
    private final class Requests implements AutoCloseable {
        private final KafkaConsumer<String, byte[]> consumer;
        private final List<ConsumerRecord<String, RestoreRequested>> seen = new ArrayList<>();

        Requests(String bootstrap) {
            consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                    ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                    ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName(),
                    ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false"));
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.RESTORE_REQUESTS).stream()
                    .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
        }

        ConsumerRecord<String, RestoreRequested> await(String restoreId) {
            return org.awaitility.Awaitility.await().atMost(WAIT).until(() -> {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    // The topic is shared with RestoreRejectionsIT, which publishes a malformed record on
                    // purpose; the service sends that one to the dead-letter topic, this reader skips it.
                    RestoreRequested request;
                    try {
                        request = codec.decode(r.value(), RestoreRequested.class);
                    } catch (EventCodecException malformed) {
                        continue;
                    }
                    seen.add(new ConsumerRecord<>(r.topic(), r.partition(), r.offset(), r.key(), request));
                }
                return seen.stream().filter(r -> r.value().getRestoreId().equals(restoreId)).findFirst();
            }, Optional::isPresent).orElseThrow();
        }

        @Override
        public void close() {
            consumer.close();
        }
    }
}
