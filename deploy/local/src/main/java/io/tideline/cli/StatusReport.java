package io.tideline.cli;

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
import java.util.ArrayList;
import java.util.List;
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
                    List<Instance> instances, String view) {

    /** Where the restore service serves the Backups view (its {@code /} redirects a browser there too). */
    static final String VIEW_PATH = "/backups";

    static final Duration PROBE_TIMEOUT = Duration.ofSeconds(5);

    record Component(String name, String endpoint, String state) {
    }

    record Instance(String id, String endpoint, String state) {
    }

    boolean healthy() {
        return running && components.stream().allMatch(c -> c.state().startsWith("ok"));
    }

    static StatusReport probe(RuntimeHome home, Optional<RuntimeInfo> runtime) {
        List<Instance> instances = instances(home);
        if (runtime.isEmpty()) {
            return new StatusReport(home.toString(), false, null, null, List.of(), instances, null);
        }
        RuntimeInfo info = runtime.get();
        List<Component> components = new ArrayList<>();
        components.add(new Component("kafka", info.kafkaBootstrapServers(), probeKafka(
                io.tideline.runtime.RuntimeKafkaTls.connection(home, info.kafkaBootstrapServers(), io.tideline.core.kafka.KafkaPrincipals.CLI))));
        components.add(new Component("s3", info.s3Endpoint().toString(), probeHttp(info.s3Endpoint(), false)));
        components.add(new Component("services", info.api().toString(), probeHttp(info.api().resolve("/health"), true)));
        return new StatusReport(home.toString(), true, info.pid(), info.startedAt(), components, instances,
                info.api().resolve(VIEW_PATH).toString());
    }

    private static List<Instance> instances(RuntimeHome home) {
        if (!home.exists()) {
            return List.of();
        }
        try {
            LocalPostgresProvisioner provisioner = new LocalPostgresProvisioner(LocalPostgresConfig.defaults(home.root()),
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

    static String probeKafka(io.tideline.core.kafka.KafkaConnection connection) {
        Map<String, Object> config = connection.config();
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) PROBE_TIMEOUT.toMillis());
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) PROBE_TIMEOUT.toMillis());
        try (Admin admin = Admin.create(config)) {
            int nodes = admin.describeCluster().nodes().get(PROBE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).size();
            return "ok (" + nodes + " broker" + (nodes == 1 ? "" : "s") + ")";
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            return "not answering";
        }
    }

    /** Any HTTP answer proves the S3 server serves; for the services, /health must say UP. */
    static String probeHttp(URI uri, boolean requireUp) {
        HttpClient client = HttpClient.newBuilder().connectTimeout(PROBE_TIMEOUT).build();
        try {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(uri).timeout(PROBE_TIMEOUT).GET().build(),
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
