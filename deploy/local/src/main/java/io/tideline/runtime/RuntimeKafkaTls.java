package io.tideline.runtime;

import io.tideline.core.kafka.AclInstaller;
import io.tideline.core.kafka.KafkaAcls;
import io.tideline.core.kafka.KafkaConnection;
import io.tideline.core.kafka.KafkaPrincipals;
import io.tideline.core.kafka.KafkaSecurityConfiguration;
import io.tideline.core.tls.CertificateRequest;
import io.tideline.processes.KafkaTlsListeners;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * Kafka over TLS in the embedded runtime (always on): the broker's certificate, one client certificate per
 * principal (each service, the CLI, the admin that creates topics and ACLs), all issued by the Tideline CA
 * into the home's secret store ({@code secrets/tls/<name>/}), where Kafka's PEM key stores read them.
 */
public final class RuntimeKafkaTls {

    /**
     * External front doors allowed to write restore requests: none in the embedded runtime. The CLI and the view
     * restore through the restore service's HTTP API (issue 14.2), which writes the signed-in user into the
     * request as the {@code restore} principal; the {@code cli} principal may not write restore requests.
     */
    static final List<String> FRONT_DOORS = List.of();
    private static final java.time.Duration ADMIN_TIMEOUT = java.time.Duration.ofSeconds(30);

    /** The single broker's identity (node 1). */
    static final String BROKER = "kafka-1";

    private RuntimeKafkaTls() {
    }

    /** The identities' directory: the secret store's {@code tls/} part. */
    public static Path directory(RuntimeHome home) {
        return home.secretsDir().resolve("tls");
    }

    /**
     * Every principal of the runtime, issued when missing and renewed when due, now and by the runtime's one
     * renewal task; the clients read a renewed identity at their next connection ({@code RenewingSslEngineFactory}).
     */
    static List<String> ensureIdentities(TlsRenewal renewal) {
        renewal.ensure(BROKER, CertificateRequest.server(BROKER, List.of("localhost"), List.of("127.0.0.1")));
        List<String> names = new ArrayList<>(List.of(BROKER));
        for (String principal : principals()) {
            renewal.ensure(principal, CertificateRequest.client(principal));
            names.add(principal);
        }
        return names;
    }

    static List<String> principals() {
        List<String> all = new ArrayList<>(KafkaPrincipals.SERVICES);
        all.add(KafkaPrincipals.CLI);
        all.add(KafkaPrincipals.ADMIN);
        return all;
    }

    static KafkaTlsListeners listeners(RuntimeHome home) {
        return new KafkaTlsListeners(directory(home), BROKER, List.of(KafkaPrincipals.ADMIN));
    }

    /**
     * Creates the ACLs of {@link KafkaAcls} as the admin before the services start, so no service's first
     * read races its grant (the services' {@code TopicInitializer} creates them again, idempotently).
     */
    static void ensureAcls(RuntimeHome home, String bootstrapServers) {
        Map<String, Object> config = connection(home, bootstrapServers, KafkaPrincipals.ADMIN).config();
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) ADMIN_TIMEOUT.toMillis());
        try (Admin admin = Admin.create(config)) {
            new AclInstaller(admin, ADMIN_TIMEOUT).ensure(KafkaAcls.table(FRONT_DOORS));
        }
    }

    /** How {@code principal} reaches the runtime's broker at {@code bootstrapServers}. */
    public static KafkaConnection connection(RuntimeHome home, String bootstrapServers, String principal) {
        return KafkaConnection.tls(bootstrapServers, directory(home), principal);
    }

    /**
     * The services' settings: TLS, the identities, and the context's own principal. The four services share one
     * context: each service's clients use its own principal; the shared parts (instance registry reader, stall
     * monitor) the restore service's, which reads every topic they need.
     */
    static Map<String, Object> serviceProperties(RuntimeHome home) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put(KafkaSecurityConfiguration.PREFIX + ".tls", true);
        p.put(KafkaSecurityConfiguration.PREFIX + ".directory", directory(home).toString());
        p.put(KafkaSecurityConfiguration.PREFIX + ".principal", KafkaPrincipals.RESTORE);
        p.put(KafkaSecurityConfiguration.PREFIX + ".front-doors", FRONT_DOORS);
        return p;
    }
}
