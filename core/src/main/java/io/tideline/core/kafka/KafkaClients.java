package io.tideline.core.kafka;

import io.micronaut.context.annotation.Value;
import jakarta.inject.Singleton;

/**
 * The Kafka connections of this process's principals ({@link KafkaSecurityConfiguration}): a service's
 * factory asks for its own ({@code connection(KafkaPrincipals.ARCHIVER)}), the parts no service owns for
 * {@link #processConnection()}.
 */
@Singleton
public class KafkaClients {

    private final String bootstrapServers;
    private final KafkaSecurityConfiguration security;

    public KafkaClients(@Value("${kafka.bootstrap.servers:`localhost:9092`}") String bootstrapServers,
                        KafkaSecurityConfiguration security) {
        this.bootstrapServers = bootstrapServers;
        this.security = security;
    }

    public KafkaConnection connection(String principal) {
        return security.connection(bootstrapServers, principal);
    }

    /** The connection of {@code tideline.kafka.security.principal} (PLAINTEXT when TLS is off). */
    public KafkaConnection processConnection() {
        return security.tls() ? connection(security.principal()) : KafkaConnection.plaintext(bootstrapServers);
    }

    public KafkaSecurityConfiguration security() {
        return security;
    }
}
