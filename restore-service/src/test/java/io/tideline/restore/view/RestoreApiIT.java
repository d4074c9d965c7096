package io.tideline.restore.view;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micronaut.context.ApplicationContext;
import io.micronaut.http.HttpMethod;
import io.micronaut.http.annotation.Controller;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.web.router.Router;
import io.micronaut.web.router.UriRouteInfo;
import io.swagger.v3.oas.annotations.Hidden;
import io.tideline.core.ids.InstanceId;
import io.tideline.core.kafka.TopicCreator;
import io.tideline.core.kafka.Topics;
import io.tideline.core.kafka.TopicsConfiguration;
import io.tideline.core.registry.InstanceOnboarding;
import io.tideline.core.registry.RegisteredInstance;
import io.tideline.testkit.BucketSeeder;
import io.tideline.testkit.Fleet;
import io.tideline.testkit.FleetExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
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
 * Issue 16, the HTTP API against the real restore service's HTTP server (real Kafka, S3, PostgreSQL; the
 * shared test bed): a restore request the service would reject is refused at once — 400 when the request
 * itself is malformed, 422 when the window or the fleet cannot satisfy it — as {@code application/problem+json}
 * naming the field, and nothing is published; Micronaut's own errors (unknown route, method, media type,
 * unreadable JSON) are problems too; the served OpenAPI document holds every route of the controllers and
 * documents the problem a bad request gets.
 */
@ExtendWith(FleetExtension.class)
class RestoreApiIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String PROBLEM = "application/problem+json";
    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();
    private String auth;

    @Test
    void badRequestsAreRefusedAtOnceAsProblemsAndNothingIsPublished(Fleet fleet) throws Exception {
        try (Admin admin = fleet.kafka().adminClient()) {
            new TopicCreator(admin, Duration.ofSeconds(30)).ensure(Topics.specs(TopicsConfiguration.defaults()));
        }
        InstanceId id = fleet.postgres().newId("api");
        RegisteredInstance source = fleet.onboarding().create(id, "ledger", new InstanceOnboarding.Options(Optional.empty(), Optional.of(7)));
        try (BucketSeeder seeder = BucketSeeder.attach(fleet, id)) {
            write(fleet, seeder);
            seeder.seedBaseBackup();
            write(fleet, seeder);
            seeder.seedAllCompletedWal();
        }

        Map<String, Object> props = new HashMap<>(fleet.serviceProperties());
        props.put("spec.name", "RestoreApiIT");
        props.put("tideline.restore.enabled", "false"); // the API alone: what it refuses must never reach a worker
        try (ApplicationContext ctx = ApplicationContext.run(props);
             Requests requests = new Requests(fleet.kafka().bootstrapServers())) {
            EmbeddedServer server = ctx.getBean(EmbeddedServer.class).start();
            String base = "http://127.0.0.1:" + server.getPort();
            auth = io.tideline.restore.access.People.admin(ctx, base); // issue 14.2: the API needs a signed-in person
            String restores = base + "/api/instances/" + id + "/restores";
            await().atMost(WAIT).until(() -> get(base + "/api/instances").body().contains(id.value()));

            // The example: 400 before any round trip through Kafka, both fields named at once.
            JsonNode yesterday = problem(post(restores, "{\"target\":\"yesterday\",\"name\":\"x\"}"), 400);
            assertEquals("urn:tideline:problem:invalid-request", yesterday.get("type").asText());
            assertEquals(2, yesterday.get("errors").size(), yesterday.toString());
            assertEquals("target", yesterday.get("errors").get(0).get("field").asText(), yesterday.toString());
            assertTrue(yesterday.get("errors").get(0).get("message").asText().contains("'yesterday' is not a time"), yesterday.toString());
            assertEquals("name", yesterday.get("errors").get(1).get("field").asText(), yesterday.toString());
            assertTrue(yesterday.get("errors").get(1).get("message").asText().contains("'x' cannot name an instance"), yesterday.toString());
            assertTrue(yesterday.get("detail").asText().contains("'yesterday' is not a time"), yesterday.toString());

            // Malformed: the name's rule, an option the target cannot take, a missing target.
            assertField(problem(post(restores, "{\"target\":\"latest\",\"name\":\"Copy Of Ledger\"}"), 400), "name",
                    "cannot name an instance");
            assertField(problem(post(restores, "{\"target\":\"name:before-migration\",\"exclusive\":true}"), 400), "exclusive",
                    "cannot be exclusive");
            assertField(problem(post(restores, "{\"target\":\"2026-11-24T08:30:00\"}"), 400), "target", "no time zone");
            assertField(problem(post(restores, "{\"target\":\"lsn:zz\"}"), 400), "target", "is not an LSN");
            assertField(problem(post(restores, "{\"name\":\"x\"}"), 400), "target", "target is required");

            // Well-formed, but the window or the fleet says no: 422.
            JsonNode before = problem(post(restores, "{\"target\":\"2020-01-01T00:00:00Z\"}"), 422);
            assertField(before, "target", "is before the restorable window of " + id);
            assertField(problem(post(restores, "{\"target\":\"2999-01-01T00:00:00Z\"}"), 422), "target", "in the future");
            assertField(problem(post(restores, "{\"target\":\"latest\",\"name\":\"" + id + "\"}"), 422), "name",
                    "already taken by registered instance " + id);
            assertField(problem(post(restores, "{\"target\":\"xid:123456789\"}"), 422), "target", "unknown to the stored WAL");
            assertField(problem(post(restores, "{\"target\":\"name:never-made\"}"), 422), "target", "no restore point named");
            assertField(problem(post(restores, "{\"target\":\"immediate:20200101T000000Z-nosuch\"}"), 422), "target", "no backup");

            // A name another request asked for moments ago (not answered yet: no restore worker here) is taken.
            HttpResponse<String> first = post(restores, "{\"target\":\"latest\",\"name\":\"ledger-copy\"}");
            assertEquals(202, first.statusCode(), first.body());
            String firstId = json.readTree(first.body()).get("restoreId").asText();
            assertField(problem(post(restores, "{\"target\":\"latest\",\"name\":\"ledger-copy\"}"), 422), "name",
                    "already taken by restore " + firstId);

            // Unknown instance: 404, as a problem.
            JsonNode unknown = problem(post(base + "/api/instances/no-such-instance/restores", "{\"target\":\"latest\"}"), 404);
            assertTrue(unknown.get("detail").asText().contains("no-such-instance"), unknown.toString());

            // Micronaut's own refusals are problems too: unreadable JSON, no body,
            // a wrong media type, a wrong method, an unknown route; and the API's other errors.
            problem(post(restores, "{\"target\":"), 400);
            problem(post(restores, ""), 400);
            problem(send(HttpRequest.newBuilder(URI.create(restores)).header("Content-Type", "text/plain")
                    .POST(HttpRequest.BodyPublishers.ofString("latest")).build()), 415);
            problem(send(HttpRequest.newBuilder(URI.create(base + "/api/instances")).DELETE().build()), 405);
            problem(get(base + "/api/no-such-thing"), 404);
            problem(get(base + "/api/restores/no-such-restore"), 404);
            problem(get(base + "/api/instances/" + id + "/changes?since=yesterday"), 400);

            // Nothing of the above was published: the next record of this instance on the topic is a good request's.
            HttpResponse<String> good = post(restores, "{\"target\":\"latest\"}");
            assertEquals(202, good.statusCode(), good.body());
            String goodId = json.readTree(good.body()).get("restoreId").asText();
            List<String> published = requests.restoreIdsUntil(id.value(), goodId);
            assertEquals(List.of(firstId, goodId), published, "only the accepted requests reached tideline.restore-requests");

            // restoredFrom is an object (issue 16): source id and name, restore id, and the target asked for. A
            // registration as the restore service writes it once done (tombstoned afterwards: no server behind it).
            InstanceId copy = InstanceId.of(id.value() + "-copy");
            RegisteredInstance restored = new RegisteredInstance(copy, copy.value(), source.host(), source.port(), source.database(),
                    source.superuser(), source.superuserSecret(), source.replicationUser(), source.replicationSecret(),
                    "tideline-" + copy, source.s3AccessKey(), source.s3SecretKey(), source.postgresVersion(), source.walSegmentSize(),
                    Optional.empty(), Optional.empty(), Optional.of(new RegisteredInstance.Origin(id, goodId)), Instant.now(),
                    source.restoreDrill());
            fleet.publisher().publishAndWait(Topics.INSTANCES, copy.value(), restored.toEvent(java.util.UUID.randomUUID(), Instant.now()));
            try {
                JsonNode origin = await().atMost(WAIT).until(() -> find(json.readTree(get(base + "/api/instances").body()), copy.value()),
                        Optional::isPresent).orElseThrow().get("restoredFrom");
                assertEquals(id.value(), origin.get("sourceInstanceId").asText(), origin.toString());
                assertEquals("ledger", origin.get("sourceName").asText(), origin.toString());
                assertEquals(goodId, origin.get("restoreId").asText(), origin.toString());
                assertEquals("latest", origin.get("target").asText(), origin.toString());
                assertTrue(find(json.readTree(get(base + "/api/instances").body()), id.value()).orElseThrow()
                        .path("restoredFrom").isMissingNode() || find(json.readTree(get(base + "/api/instances").body()), id.value())
                        .orElseThrow().get("restoredFrom").isNull(), "a created instance has none");
            } finally {
                fleet.publisher().tombstoneAndWait(Topics.INSTANCES, copy.value());
            }

            // The OpenAPI document, served by the service, holds every route of its controllers.
            HttpResponse<String> served = get(base + "/openapi/restore-service.json");
            assertEquals(200, served.statusCode(), served.body());
            JsonNode doc = json.readTree(served.body());
            Set<String> documented = new TreeSet<>();
            doc.get("paths").fields().forEachRemaining(p -> p.getValue().fieldNames()
                    .forEachRemaining(m -> documented.add(m.toUpperCase(Locale.ROOT) + " " + p.getKey())));
            Set<String> routed = routes(ctx.getBean(Router.class));
            assertFalse(routed.isEmpty());
            Set<String> missing = new TreeSet<>(routed);
            missing.removeAll(documented);
            assertEquals(Set.of(), missing, "routes missing from the OpenAPI document (documented: " + documented + ")");

            // ... and the problem a bad request gets is the one the document promises for it.
            JsonNode promised = doc.at("/paths/~1api~1instances~1{id}~1restores/post/responses/400/content")
                    .get(PROBLEM).get("schema");
            matches(doc, promised, yesterday, "400 answer");
            matches(doc, doc.at("/paths/~1api~1instances~1{id}~1restores/post/responses/422/content").get(PROBLEM).get("schema"),
                    before, "422 answer");
        }
    }

    // ---------------------------------------------------------------------------------------------

    /** The routes of the running app's controllers (management endpoints and @Hidden ones aside), "METHOD /path". */
    private static Set<String> routes(Router router) {
        Set<String> routes = new TreeSet<>();
        router.uriRoutes().forEach((UriRouteInfo<?, ?> r) -> {
            var metadata = r.getTargetMethod().getAnnotationMetadata();
            if (r.getHttpMethod() == HttpMethod.HEAD || !metadata.hasStereotype(Controller.class) || metadata.hasAnnotation(Hidden.class)) {
                return; // HEAD is Micronaut's shadow of each GET
            }
            routes.add(r.getHttpMethodName() + " " + r.getUriMatchTemplate().toPathString());
        });
        return routes;
    }

    /** Checks {@code value} against an OpenAPI schema (the subset the document uses: $ref, object, array, scalars). */
    private static void matches(JsonNode doc, JsonNode schema, JsonNode value, String where) {
        if (schema.has("$ref")) {
            matches(doc, doc.at(schema.get("$ref").asText().substring(1)), value, where);
            return;
        }
        if (value == null || value.isNull()) {
            assertTrue(schema.path("nullable").asBoolean(false), where + " is null, the schema does not allow it");
            return;
        }
        String type = schema.path("type").asText("object");
        switch (type) {
            case "object" -> {
                assertTrue(value.isObject(), where + " is not an object: " + value);
                for (JsonNode required : schema.path("required")) {
                    assertTrue(value.has(required.asText()), where + " lacks the required " + required.asText() + ": " + value);
                }
                for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> field = it.next();
                    JsonNode property = schema.path("properties").get(field.getKey());
                    if (property == null) {
                        fail(where + " has " + field.getKey() + ", which the schema does not name: " + value);
                    }
                    matches(doc, property, field.getValue(), where + "." + field.getKey());
                }
            }
            case "array" -> {
                assertTrue(value.isArray(), where + " is not an array: " + value);
                for (JsonNode item : value) {
                    matches(doc, schema.get("items"), item, where + "[]");
                }
            }
            case "string" -> assertTrue(value.isTextual(), where + " is not a string: " + value);
            case "integer" -> assertTrue(value.isIntegralNumber(), where + " is not an integer: " + value);
            case "boolean" -> assertTrue(value.isBoolean(), where + " is not a boolean: " + value);
            default -> fail("schema type " + type + " at " + where);
        }
    }

    /** The body of an answer that must be a problem of {@code status}. */
    private JsonNode problem(HttpResponse<String> response, int status) throws Exception {
        assertEquals(status, response.statusCode(), response.body());
        assertEquals(PROBLEM, response.headers().firstValue("content-type").orElse(""), response.body());
        JsonNode body = json.readTree(response.body());
        assertEquals(status, body.get("status").asInt(), response.body());
        assertFalse(body.get("title").asText().isBlank(), response.body());
        assertFalse(body.get("type").asText().isBlank(), response.body());
        assertFalse(body.path("detail").asText().isBlank(), "a detail a person can read: " + response.body());
        return body;
    }

    private static void assertField(JsonNode problem, String field, String says) {
        assertTrue(problem.get("detail").asText().contains(says), problem.toString());
        JsonNode errors = problem.get("errors");
        assertEquals(1, errors.size(), problem.toString());
        assertEquals(field, errors.get(0).get("field").asText(), problem.toString());
        assertTrue(errors.get(0).get("message").asText().contains(says), problem.toString());
    }

    private static void write(Fleet fleet, BucketSeeder seeder) throws Exception {
        try (Connection c = fleet.postgres().connect(seeder.instance()); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS entries (id bigserial PRIMARY KEY, note text)");
            s.execute("INSERT INTO entries (note) SELECT repeat('e', 100) FROM generate_series(1, 1000)");
        }
    }

    private static Optional<JsonNode> find(JsonNode array, String id) {
        for (JsonNode n : array) {
            if (n.get("id").asText().equals(id)) {
                return Optional.of(n);
            }
        }
        return Optional.empty();
    }

    private HttpResponse<String> get(String url) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(url)).GET().build());
    }

    private HttpResponse<String> post(String url, String body) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    /** Sent as the signed-in admin (the OpenAPI document needs no sign-in; the header does not hurt it). */
    private HttpResponse<String> send(HttpRequest request) throws Exception {
        HttpRequest signedIn = auth == null ? request : HttpRequest.newBuilder(request, (n, v) -> true).header("Authorization", auth).build();
        return http.send(signedIn, HttpResponse.BodyHandlers.ofString());
    }

    /** {@code tideline.restore-requests} from its end as of now: what the refused requests would have published. */
    private static final class Requests implements AutoCloseable {
        private final KafkaConsumer<String, byte[]> consumer;

        Requests(String bootstrap) {
            consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                    ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                    ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName(),
                    ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false"));
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.RESTORE_REQUESTS).stream()
                    .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position); // fixes "now" before any request is sent
        }

        /** The restore ids of records keyed {@code instance}, in order, up to and with {@code last}. */
        List<String> restoreIdsUntil(String instance, String last) {
            List<String> seen = new ArrayList<>();
            await().atMost(WAIT).until(() -> {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (instance.equals(r.key())) {
                        seen.add(io.tideline.schemas.serde.EventCodec.standard()
                                .decode(r.value(), io.tideline.schemas.RestoreRequested.class).getRestoreId());
                    }
                }
                return seen.contains(last);
            });
            return seen;
        }

        @Override
        public void close() {
            consumer.close();
        }
    }
}
