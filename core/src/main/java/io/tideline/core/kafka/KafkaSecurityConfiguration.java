package io.tideline.core.kafka;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;
import java.nio.file.Path;
import java.util.List;

/**
 * How this process's Kafka clients authenticate: {@code tideline.kafka.security.*}.
 *
 * @param tls        TLS with a client certificate per principal (mTLS); off = PLAINTEXT without authentication
 * @param directory  where the identities are, laid out as the secret store's {@code tls/} part
 *                   ({@code <principal>/identity.pem}: key + certificate + CA certificate; {@code ca/ca.crt});
 *                   read by Kafka's PEM key stores. Required with {@code tls}
 * @param principal  the principal of the parts of the process no single service owns (the instance registry's
 *                   reader, the stall monitor, the default publisher); each service's own clients use its own
 *                   principal ({@link KafkaPrincipals}). Required with {@code tls}
 * @param frontDoors principals besides the restore service allowed to write restore requests ({@link KafkaAcls})
 */
@ConfigurationProperties(KafkaSecurityConfiguration.PREFIX)
public record KafkaSecurityConfiguration(
        @Bindable(defaultValue = "false") boolean tls,
        @Nullable Path directory,
        @Nullable String principal,
        @Nullable List<String> frontDoors) {

    public static final String PREFIX = "tideline.kafka.security";

    public KafkaSecurityConfiguration {
        frontDoors = frontDoors == null ? List.of() : List.copyOf(frontDoors);
        if (tls && (directory == null || principal == null || principal.isBlank())) {
            throw new IllegalArgumentException(PREFIX + ".tls needs " + PREFIX + ".directory (the TLS identities) and "
                    + PREFIX + ".principal (who this process is)");
        }
    }

    /** PLAINTEXT, no authentication (the test fixtures' default). */
    public static KafkaSecurityConfiguration plaintext() {
        return new KafkaSecurityConfiguration(false, null, null, List.of());
    }

    /** The connection of {@code principal} to {@code bootstrapServers} under these settings. */
    public KafkaConnection connection(String bootstrapServers, String principal) {
        return tls ? KafkaConnection.tls(bootstrapServers, directory, principal) : KafkaConnection.plaintext(bootstrapServers);
    }
}
