package io.tideline.processes;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * TLS on every listener of a broker (clients, inter-broker, controller), with client certificates
 * required and KRaft's {@code StandardAuthorizer} refusing whatever no ACL grants.
 *
 * <p>{@code directory} is laid out as the secret store's {@code tls/} part (core's {@code TlsCredentials}):
 * {@code <identity>/identity.pem} (key + certificate + CA certificate, what Kafka's PEM key store reads)
 * and {@code ca/ca.crt}; the caller issues the broker's identity before the start. A client's principal
 * is the common name of its certificate ({@code CN=archiver,O=Tideline} is {@code User:archiver}).
 *
 * @param directory  the TLS identities
 * @param identity   the broker's identity name ({@code kafka-<node id>}); a super user (brokers talk to each other)
 * @param superUsers further principals allowed everything (the admin that creates topics and ACLs)
 */
public record KafkaTlsListeners(Path directory, String identity, List<String> superUsers) {

    /** {@code CN=<name>,O=Tideline} → {@code <name>}; any other subject keeps its full name (and gets no grant). */
    public static final String PRINCIPAL_MAPPING = "RULE:^CN=([a-z0-9._-]+),O=Tideline$/$1/,DEFAULT";

    public KafkaTlsListeners {
        Objects.requireNonNull(directory, "directory");
        Objects.requireNonNull(identity, "identity");
        superUsers = List.copyOf(superUsers);
    }

    public Path keyStore() {
        return directory.resolve(identity).resolve("identity.pem");
    }

    public Path trustStore() {
        return directory.resolve("ca").resolve("ca.crt");
    }

    /** The broker's settings for TLS (listener names and addresses are the caller's). */
    public List<String> serverProperties() {
        StringBuilder users = new StringBuilder("User:" + identity);
        superUsers.forEach(u -> users.append(";User:").append(u));
        return List.of(
                "ssl.keystore.type=PEM",
                "ssl.keystore.location=" + keyStore(),
                "ssl.truststore.type=PEM",
                "ssl.truststore.location=" + trustStore(),
                "ssl.client.auth=required",
                // a broker connecting to another (or to the controller) checks its name like any client
                "ssl.endpoint.identification.algorithm=https",
                "ssl.principal.mapping.rules=" + PRINCIPAL_MAPPING,
                "authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer",
                "allow.everyone.if.no.acl.found=false",
                "super.users=" + users);
    }

    /** Client settings of the broker's own identity (the readiness probe of the launcher). */
    public Map<String, Object> clientProperties() {
        return Map.of(
                "security.protocol", "SSL",
                "ssl.keystore.type", "PEM",
                "ssl.keystore.location", keyStore().toString(),
                "ssl.truststore.type", "PEM",
                "ssl.truststore.location", trustStore().toString(),
                "ssl.endpoint.identification.algorithm", "https");
    }
}
