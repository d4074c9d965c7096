package io.tideline.core.kafka;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.config.SslConfigs;

/**
 * How one principal reaches Kafka: the bootstrap servers and the client settings that authenticate it
 * (none for PLAINTEXT; TLS with the principal's certificate from Kafka's PEM key store otherwise). Every
 * Kafka client Tideline makes starts from one.
 */
public record KafkaConnection(String bootstrapServers, Map<String, String> security) {

    public KafkaConnection {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        security = Map.copyOf(security);
    }

    public static KafkaConnection plaintext(String bootstrapServers) {
        return new KafkaConnection(bootstrapServers, Map.of());
    }

    /**
     * TLS as {@code principal}: its key and certificate from {@code <directory>/<principal>/identity.pem}
     * (re-read for new connections after a renewal: {@link RenewingSslEngineFactory}),
     * trusting only {@code <directory>/ca/ca.crt}, and checking the broker's name against its certificate
     * (Kafka's default {@code ssl.endpoint.identification.algorithm=https}, set explicitly so nobody turns it off by accident).
     */
    public static KafkaConnection tls(String bootstrapServers, Path directory, String principal) {
        Map<String, String> s = trustOnly(directory);
        s.put(SslConfigs.SSL_KEYSTORE_TYPE_CONFIG, "PEM");
        s.put(SslConfigs.SSL_KEYSTORE_LOCATION_CONFIG, directory.resolve(principal).resolve("identity.pem").toString());
        // Kafka's own factory reads the key store once: this one follows renewals (new connections, no restart)
        s.put(SslConfigs.SSL_ENGINE_FACTORY_CLASS_CONFIG, RenewingSslEngineFactory.class.getName());
        return new KafkaConnection(bootstrapServers, s);
    }

    /**
     * TLS with the identity of one directory ({@code identity.pem}, or {@code tls.key} + {@code tls.crt} + {@code ca.crt}
     * as a Kubernetes TLS secret or a Strimzi KafkaUser secret delivers them: {@link io.tideline.core.tls.IdentityFiles}),
     * trusting only the CA certificate in {@code trustedCa}: the CLI against another deployment's brokers, whose
     * certificates a CA of their own may sign (Strimzi's cluster CA), not the one that signed the client's.
     */
    public static KafkaConnection tls(String bootstrapServers, Path identityDirectory, Path trustedCa) {
        Map<String, String> s = new HashMap<>();
        s.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SSL");
        s.put(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PEM");
        s.put(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, trustedCa.toString());
        s.put(SslConfigs.SSL_ENDPOINT_IDENTIFICATION_ALGORITHM_CONFIG, "https");
        s.put(SslConfigs.SSL_KEYSTORE_TYPE_CONFIG, "PEM");
        s.put(SslConfigs.SSL_KEYSTORE_LOCATION_CONFIG, identityDirectory.resolve(io.tideline.core.tls.IdentityFiles.IDENTITY).toString());
        s.put(SslConfigs.SSL_ENGINE_FACTORY_CLASS_CONFIG, RenewingSslEngineFactory.class.getName());
        return new KafkaConnection(bootstrapServers, s);
    }

    /** TLS that trusts the CA but presents no certificate: what the brokers refuse (tests prove it). */
    public static KafkaConnection tlsWithoutCertificate(String bootstrapServers, Path directory) {
        return new KafkaConnection(bootstrapServers, trustOnly(directory));
    }

    private static Map<String, String> trustOnly(Path directory) {
        Map<String, String> s = new HashMap<>();
        s.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SSL");
        s.put(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PEM");
        s.put(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, directory.resolve("ca").resolve("ca.crt").toString());
        s.put(SslConfigs.SSL_ENDPOINT_IDENTIFICATION_ALGORITHM_CONFIG, "https");
        return s;
    }

    public boolean isTls() {
        return !security.isEmpty();
    }

    /** Bootstrap servers and security settings, to add a client's own settings to. */
    public Map<String, Object> config() {
        Map<String, Object> config = new HashMap<>(security);
        config.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        return config;
    }

    public Properties properties() {
        Properties p = new Properties();
        p.putAll(config());
        return p;
    }
}
