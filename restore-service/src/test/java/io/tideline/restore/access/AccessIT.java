package io.tideline.restore.access;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import io.tideline.core.access.Grant;
import io.tideline.core.access.LocalUsers;
import io.tideline.core.access.Role;
import io.tideline.core.ids.InstanceId;
import io.tideline.core.kafka.TopicCreator;
import io.tideline.core.kafka.Topics;
import io.tideline.core.kafka.TopicsConfiguration;
import io.tideline.core.registry.InstanceOnboarding;
import io.tideline.core.secrets.SecretStore;
import io.tideline.schemas.RestoreCancelRequested;
import io.tideline.schemas.RestoreRequested;
import io.tideline.schemas.serde.EventCodec;
import io.tideline.testkit.BucketSeeder;
import io.tideline.testkit.Fleet;
import io.tideline.testkit.FleetExtension;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
 * Issue 14.2, people and roles, against the real restore service's HTTP server (real Kafka, S3, PostgreSQL; the
 * shared test bed): no session → 401 (a page → the sign-in page); a viewer's restore → 403; a restorer's → 202 on
 * its instance, 403 on another; the {@code RestoreRequested} on Kafka names the signed-in person, not what the body
 * said; the view's session: CSRF token required, idle expiry; failed sign-ins rate-limited per user and address; a
 * removed user's token stops working.
 */
@ExtendWith(FleetExtension.class)
class AccessIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String PROBLEM = "application/problem+json";
    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();

    @Test
    void signedInPeopleDoWhatTheirRolesAllowAndTheServerNamesWhoAsked(Fleet fleet) throws Exception {
        try (Admin admin = fleet.kafka().adminClient()) {
            new TopicCreator(admin, Duration.ofSeconds(30)).ensure(Topics.specs(TopicsConfiguration.defaults()));
        }
        InstanceId a = fleet.postgres().newId("acl");
        fleet.onboarding().create(a, "acl", new InstanceOnboarding.Options(Optional.empty(), Optional.of(7)));
        try (BucketSeeder seeder = BucketSeeder.attach(fleet, a)) {
            write(fleet, seeder);
            seeder.seedBaseBackup();
            write(fleet, seeder);
            seeder.seedAllCompletedWal();
        }
        String other = "not-" + a.value(); // no grant of the restorer covers it (nor need it exist: 403 comes first)

        MovableClock clock = new MovableClock();
        Map<String, Object> props = new HashMap<>(fleet.serviceProperties());
        props.put("spec.name", "AccessIT");
        props.put("tideline.restore.enabled", "false"); // the front door alone: requests are read back from Kafka
        props.put(AccessConfiguration.SESSION_IDLE_TIMEOUT, "2m");
        try (ApplicationContext ctx = ApplicationContext.builder().properties(props).singletons(clock).start();
             Requests requests = new Requests(fleet.kafka().bootstrapServers())) {
            String base = "http://127.0.0.1:" + ctx.getBean(EmbeddedServer.class).start().getPort();
            String viewer = "viewer-" + a.value();
            String restorer = "restorer-" + a.value();
            People.add(ctx, viewer, new Grant(Role.VIEWER, a.value()));
            People.add(ctx, restorer, new Grant(Role.RESTORER, a.value().substring(0, 4) + "*," + a.value()));
            String restores = base + "/api/instances/" + a + "/restores";

            // Nobody signed in: 401 for the API (a problem, Bearer challenge), the sign-in page for a browser.
            HttpResponse<String> anonymous = send(get(base + "/api/instances").build());
            problem(anonymous, 401);
            assertEquals("Bearer", anonymous.headers().firstValue("WWW-Authenticate").orElse(""));
            problem(send(post(restores, "{\"target\":\"latest\"}").build()), 401);
            HttpResponse<String> page = send(get(base + "/backups/" + a).header("Accept", "text/html").build());
            assertEquals(303, page.statusCode());
            assertEquals("/login?next=" + URLEncoder.encode("/backups/" + a, StandardCharsets.UTF_8),
                    page.headers().firstValue("Location").orElse(""));
            assertEquals(200, send(get(base + "/health").build()).statusCode(), "probes need no sign-in");

            // A viewer reads the window, but its restore request is refused: 403, nothing published.
            String viewerToken = People.bearer(base, viewer);
            await().atMost(WAIT).until(() -> send(get(base + "/api/instances/" + a + "/backups")
                    .header("Authorization", viewerToken).build()).statusCode() == 200); // once the view has read the registry
            JsonNode refused = problem(send(post(restores, "{\"target\":\"latest\"}").header("Authorization", viewerToken).build()), 403);
            assertTrue(refused.get("detail").asText().contains("restorer"), refused.toString());

            // A restorer of this instance: 202, and the server writes who asked; the body's say is ignored.
            String restorerToken = People.bearer(base, restorer);
            HttpResponse<String> accepted = send(post(restores, "{\"target\":\"latest\",\"requestedBy\":\"mallory\"}")
                    .header("Authorization", restorerToken).build());
            assertEquals(202, accepted.statusCode(), accepted.body());
            String restoreId = json.readTree(accepted.body()).get("restoreId").asText();
            RestoreRequested asked = requests.next(a.value(), RestoreRequested.class);
            assertEquals(restoreId, asked.getRestoreId(), "the viewer's refused request was never published");
            assertEquals("user:" + restorer, asked.getRequestedBy());
            // ... and it follows and cancels it, again as itself.
            assertEquals(200, send(get(base + "/api/restores/" + restoreId).header("Authorization", restorerToken).build()).statusCode());
            problem(send(get(base + "/api/restores/" + restoreId).header("Authorization", viewerToken).build()), 403);
            HttpResponse<String> cancel = send(post(base + "/api/restores/" + restoreId + "/cancel", "")
                    .header("Authorization", restorerToken).build());
            assertEquals(202, cancel.statusCode(), cancel.body());
            assertEquals("user:" + restorer, requests.next(a.value(), RestoreCancelRequested.class).getRequestedBy());
            // Another instance: 403.
            problem(send(post(base + "/api/instances/" + other + "/restores", "{\"target\":\"latest\"}")
                    .header("Authorization", restorerToken).build()), 403);

            // The view: sign-in form (its own CSRF token), a session, CSRF token required for a change.
            HttpResponse<String> form = send(get(base + "/login").build());
            String formCookie = cookie(form, SignInController.FORM_COOKIE);
            String formToken = find(form.body(), "name=\"csrfToken\" value=\"([^\"]+)\"");
            assertEquals(403, send(signIn(base, restorer, People.PASSWORD, formCookie, "forged").build()).statusCode());
            HttpResponse<String> signedIn = send(signIn(base, restorer, People.PASSWORD, formCookie, formToken).build());
            assertEquals(303, signedIn.statusCode(), signedIn.body());
            String session = SessionAuthentication.COOKIE + "=" + cookie(signedIn, SessionAuthentication.COOKIE);
            HttpResponse<String> instancePage = send(get(base + "/backups/" + a).header("Cookie", session).build());
            assertEquals(200, instancePage.statusCode());
            assertTrue(instancePage.body().contains(restorer), "the page names who is signed in");
            String csrf = find(instancePage.body(), "name=\"csrf-token\" content=\"([^\"]+)\"");
            String backupNow = base + "/api/instances/" + a + "/backups";
            JsonNode noToken = problem(send(post(backupNow, "").header("Cookie", session).build()), 403);
            assertEquals("urn:tideline:problem:" + CsrfCheck.SLUG, noToken.get("type").asText(), noToken.toString());
            problem(send(post(backupNow, "").header("Cookie", session).header(CsrfCheck.HEADER, "wrong").build()), 403);
            assertEquals(202, send(post(backupNow, "").header("Cookie", session).header(CsrfCheck.HEADER, csrf).build()).statusCode());

            // Idle past the configured timeout (2 min; the service's clock moved, no sleeping): signed out.
            clock.advance(Duration.ofMinutes(3));
            HttpResponse<String> expired = send(get(base + "/backups/" + a).header("Cookie", session).header("Accept", "text/html").build());
            assertEquals(303, expired.statusCode(), "an idle session expires");
            assertTrue(expired.headers().firstValue("Location").orElse("").startsWith("/login"));

            // Failed sign-ins: 5 per user and address within a minute, then 429 with Retry-After — even for the
            // right password; another user from the same address is not held up; a minute later it may try again.
            for (int i = 0; i < 5; i++) {
                problem(send(token(base, viewer, "wrong-" + i).build()), 401);
            }
            HttpResponse<String> limited = send(token(base, viewer, People.PASSWORD).build());
            problem(limited, 429);
            long retryAfter = Long.parseLong(limited.headers().firstValue("Retry-After").orElseThrow());
            assertTrue(retryAfter >= 1 && retryAfter <= 60, "Retry-After " + retryAfter);
            assertEquals(201, send(token(base, restorer, People.PASSWORD).build()).statusCode());
            clock.advance(Duration.ofSeconds(61));
            assertEquals(201, send(token(base, viewer, People.PASSWORD).build()).statusCode());

            // A removed user's token stops working at once.
            new LocalUsers(ctx.getBean(SecretStore.class)).remove(viewer);
            problem(send(get(base + "/api/instances/" + a + "/backups").header("Authorization", viewerToken).build()), 401);
        }
    }

    private static HttpRequest.Builder signIn(String base, String user, String password, String formCookie, String token) {
        String body = "username=" + enc(user) + "&password=" + enc(password) + "&csrfToken=" + enc(token) + "&next=%2Fbackups";
        return HttpRequest.newBuilder(URI.create(base + "/login")).header("Content-Type", "application/x-www-form-urlencoded")
                .header("Cookie", SignInController.FORM_COOKIE + "=" + formCookie).POST(HttpRequest.BodyPublishers.ofString(body));
    }

    private HttpRequest.Builder token(String base, String user, String password) throws Exception {
        return post(base + "/api/tokens", json.writeValueAsString(Map.of("username", user, "password", password)));
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String cookie(HttpResponse<String> response, String name) {
        for (String header : response.headers().allValues("Set-Cookie")) {
            if (header.startsWith(name + "=")) {
                return header.substring(name.length() + 1, header.indexOf(';') < 0 ? header.length() : header.indexOf(';'));
            }
        }
        throw new AssertionError("no cookie " + name + " in " + response.headers().allValues("Set-Cookie"));
    }

    private static String find(String body, String regex) {
        Matcher m = Pattern.compile(regex).matcher(body);
        assertTrue(m.find(), regex + " not in the page");
        return m.group(1);
    }

    private static HttpRequest.Builder get(String url) {
        return HttpRequest.newBuilder(URI.create(url)).GET();
    }

    private static HttpRequest.Builder post(String url, String body) {
        return HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
    }

    private HttpResponse<String> send(HttpRequest request) throws Exception {
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode problem(HttpResponse<String> response, int status) throws Exception {
        assertEquals(status, response.statusCode(), response.body());
        assertEquals(PROBLEM, response.headers().firstValue("content-type").orElse(""), response.body());
        JsonNode body = json.readTree(response.body());
        assertFalse(body.path("detail").asText().isBlank(), response.body());
        return body;
    }

    private static void write(Fleet fleet, BucketSeeder seeder) throws Exception {
        try (Connection c = fleet.postgres().connect(seeder.instance()); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS entries (id bigserial PRIMARY KEY, note text)");
            s.execute("INSERT INTO entries (note) SELECT repeat('e', 100) FROM generate_series(1, 200)");
        }
    }

    /** The system clock, moved forward by the test (the service's sessions and sign-in counts read it). */
    static final class MovableClock extends Clock {
        private volatile Duration offset = Duration.ZERO;

        void advance(Duration by) {
            offset = offset.plus(by);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.now().plus(offset);
        }
    }

    /** {@code tideline.restore-requests} from its end as of now. */
    private static final class Requests implements AutoCloseable {
        private final KafkaConsumer<String, byte[]> consumer;
        private final List<SpecificRecord> seen = new ArrayList<>();

        Requests(String bootstrap) {
            consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                    ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                    ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName(),
                    ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false"));
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.RESTORE_REQUESTS).stream()
                    .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position);
        }

        /** The next record of {@code instance} on the topic, which must be a {@code type}. */
        <T extends SpecificRecord> T next(String instance, Class<T> type) {
            await().atMost(WAIT).until(() -> {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (instance.equals(r.key())) {
                        seen.add(EventCodec.standard().decode(r.value()));
                    }
                }
                return !seen.isEmpty();
            });
            SpecificRecord first = seen.remove(0);
            assertTrue(type.isInstance(first), "expected a " + type.getSimpleName() + ", got " + first);
            return type.cast(first);
        }

        @Override
        public void close() {
            consumer.close();
        }
    }
}
