package io.tideline.cli;

import io.tideline.runtime.ManagedInstances;
import io.tideline.core.instance.InstanceState;
import io.tideline.core.instance.ProvisionedInstance;
import io.tideline.platform.local.postgres.LocalPostgresConfig;
import io.tideline.platform.local.postgres.LocalPostgresProvisioner;
import io.tideline.platform.local.secrets.DirectorySecretStore;
import io.tideline.runtime.RuntimeHome;
import io.tideline.runtime.RuntimeInfo;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import io.tideline.core.tls.TlsCredentials;
import java.util.ArrayList;
import java.util.List;
import io.tideline.runtime.DurationText;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * What runs and where, as probed now: Kafka answers a describeCluster, the S3 server answers HTTP,
 * the services' {@code /health} says UP, and the state of each managed PostgreSQL cluster.
 */
record StatusReport(String home, boolean running, Long pid, Instant startedAt, List<Component> components,
                    List<Instance> instances, String view, List<Certificate> certificates) {

    /** Where the restore service serves the Backups view (its {@code /} redirects a browser there too). */
    static final String VIEW_PATH = "/backups";

    /** How long each probe waits, unless $TIDELINE_ANSWER_TIMEOUT says otherwise ({@link #probeTimeout}). */
    static final Duration PROBE_TIMEOUT = Duration.ofSeconds(5);

    record Component(String name, String endpoint, String state) {
    }

    record Instance(String id, String endpoint, String state) {
    }

    /**
     * A TLS certificate of the home's secret store: when it expires (UTC ISO-8601, to the second) and whether
     * that is near: "ok", "renewal due" (less than a third of its life left: the runtime renews it within the
     * hour; still due means renewal fails) or "expired".
     */
    record Certificate(String name, String expires, String state) {
        boolean needsAttention() {
            return !state.equals("ok");
        }
    }

    boolean healthy() {
        return running && components.stream().allMatch(c -> c.state().startsWith("ok"));
    }

    /**
     * The probes' timeout: {@link #PROBE_TIMEOUT}, or the answer timeout set in the environment ({@link NoAnswer#TIMEOUT_ENV}),
     * which every other client command honours: on a slow or loaded machine a person (or a test) raises it once for all.
     */
    static Duration probeTimeout(Map<String, String> environment) {
        String given = environment.get(NoAnswer.TIMEOUT_ENV);
        if (given == null || given.isBlank()) {
            return PROBE_TIMEOUT;
        }
        try {
            return DurationText.parse(given);
        } catch (IllegalArgumentException e) {
            throw CliException.usage("$" + NoAnswer.TIMEOUT_ENV + ": " + e.getMessage());
        }
    }

    static StatusReport probe(RuntimeHome home, Optional<RuntimeInfo> runtime, Duration timeout) {
        List<Instance> instances = instances(home);
        List<Certificate> certificates = certificates(home, Clock.systemUTC());
        if (runtime.isEmpty()) {
            return new StatusReport(home.toString(), false, null, null, List.of(), instances, null, certificates);
        }
        RuntimeInfo info = runtime.get();
        List<Component> components = new ArrayList<>();
        components.add(new Component("kafka", info.kafkaBootstrapServers(), probeKafka(
                io.tideline.runtime.RuntimeKafkaTls.connection(home, info.kafkaBootstrapServers(), io.tideline.core.kafka.KafkaPrincipals.CLI),
                timeout)));
        HttpClient http = CliTls.httpClient(home, timeout);
        components.add(new Component("s3", info.s3Endpoint().toString(), probeHttp(http, info.s3Endpoint(), false, timeout)));
        components.add(new Component("services", info.api().toString(), probeHttp(http, info.api().resolve("/health"), true, timeout)));
        return new StatusReport(home.toString(), true, info.pid(), info.startedAt(), components, instances,
                info.api().resolve(VIEW_PATH).toString(), certificates);
    }

    /** Every TLS identity under {@code secrets/tls/} (whichever hop made it) and the CA, by expiry. */
    static List<Certificate> certificates(RuntimeHome home, Clock clock) {
        Path tlsDir = home.secretsDir().resolve("tls");
        if (!Files.isDirectory(tlsDir)) {
            return List.of();
        }
        try (Stream<Path> dirs = Files.list(tlsDir)) {
            List<String> names = dirs.map(d -> d.getFileName().toString()).filter(n -> !n.equals("ca"))
                    .filter(n -> Files.isRegularFile(tlsDir.resolve(n).resolve("identity.pem"))).sorted().toList();
            TlsCredentials credentials = new TlsCredentials(new DirectorySecretStore(home.secretsDir()), clock);
            List<Certificate> out = new ArrayList<>();
            credentials.expiries(names).forEach((name, notAfter) -> {
                boolean expired = !clock.instant().isBefore(notAfter);
                boolean due = !name.equals("ca") && credentials.find(name).map(credentials::renewalDue).orElse(false);
                out.add(new Certificate(name, DateTimeFormatter.ISO_INSTANT.format(notAfter.truncatedTo(ChronoUnit.SECONDS)),
                        expired ? "expired" : due ? "renewal due" : "ok"));
            });
            return out;
        } catch (IOException | RuntimeException e) {
            return List.of(new Certificate("?", "", "cannot read: " + ErrorReporting.reason(e)));
        }
    }

    private static List<Instance> instances(RuntimeHome home) {
        if (!home.exists()) {
            return List.of();
        }
        try {
            LocalPostgresProvisioner provisioner = new LocalPostgresProvisioner(ManagedInstances.config(home),
                    new DirectorySecretStore(home.secretsDir()), Clock.systemUTC());
            List<Instance> found = new ArrayList<>();
            for (ProvisionedInstance instance : provisioner.list()) {
                String state = provisioner.state(instance.id()).map(InstanceState::name).orElse("UNKNOWN").toLowerCase();
                found.add(new Instance(instance.id().value(), instance.host() + ":" + instance.port(), state));
            }
            return found;
        } catch (RuntimeException e) {
            return List.of(new Instance("?", home.instancesDir().toString(), "cannot list: " + ErrorReporting.reason(e)));
        }
    }

    static String probeKafka(io.tideline.core.kafka.KafkaConnection connection, Duration timeout) {
        Map<String, Object> config = connection.config();
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        try (Admin admin = Admin.create(config)) {
            int nodes = admin.describeCluster().nodes().get(timeout.toMillis(), TimeUnit.MILLISECONDS).size();
            return "ok (" + nodes + " broker" + (nodes == 1 ? "" : "s") + ")";
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            return "not answering";
        }
    }

    /** Any HTTP answer proves the S3 server serves; for the services, /health must say UP. */
    static String probeHttp(HttpClient client, URI uri, boolean requireUp, Duration timeout) {
        try {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(uri).timeout(timeout).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            if (!requireUp) {
                return "ok";
            }
            if (response.statusCode() == 200 && response.body().contains("\"UP\"")) {
                return "ok (health UP)";
            }
            return "unhealthy (HTTP " + response.statusCode() + ")";
        } catch (IOException e) {
            return "not answering";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "not answering";
        }
    }
}
