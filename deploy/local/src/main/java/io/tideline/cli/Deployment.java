package io.tideline.cli;

import io.tideline.core.storage.ObjectStoreSettings;
import io.tideline.runtime.RuntimeHome;
import io.tideline.runtime.RuntimeInfo;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * The deployment a command talks to: given by flags or environment, else the embedded runtime of the
 * home (from its {@code runtime.json}).
 *
 * @param kafkaBootstrapServers known for every command but {@code login}, which talks to the API only (empty then)
 * @param s3                    the object store, when known (audit checks checksums with it)
 * @param api                   the services' HTTP API, when known (the Backups view)
 * @param runtime               the local runtime, when one runs
 * @param answerTimeout         how long the command waits for any one answer of Kafka, the object store,
 *                              the API or PostgreSQL before it says which did not answer ({@link NoAnswer})
 * @param caFile                the CA certificate to trust for the API, the object store and Kafka
 *                              ({@code --ca-file}/{@code $TIDELINE_CA_FILE}: another deployment's); empty: the home's
 *                              Tideline CA when it has one, else the JDK's trust store
 * @param kafkaIdentity         a directory with the CLI's Kafka client identity for another deployment
 *                              ({@code --kafka-identity}/{@code $TIDELINE_KAFKA_IDENTITY}: {@code tls.crt}, {@code tls.key},
 *                              {@code ca.crt} as a Kubernetes TLS or Strimzi user secret delivers them, or {@code identity.pem})
 */
public record Deployment(RuntimeHome home, String kafkaBootstrapServers, Optional<URI> s3, Optional<URI> api,
                         Optional<RuntimeInfo> runtime, Duration answerTimeout, Optional<Path> caFile,
                         Optional<Path> kafkaIdentity) {

    /** The local runtime's deployment (or one named by Kafka, S3 and API only): the home's CA, no other identity. */
    public Deployment(RuntimeHome home, String kafkaBootstrapServers, Optional<URI> s3, Optional<URI> api,
                      Optional<RuntimeInfo> runtime, Duration answerTimeout) {
        this(home, kafkaBootstrapServers, s3, api, runtime, answerTimeout, Optional.empty(), Optional.empty());
    }

    /** Environment variable naming Kafka's bootstrap servers of another deployment. */
    public static final String KAFKA_ENV = "TIDELINE_KAFKA";
    public static final String S3_ENV = "TIDELINE_S3";
    public static final String API_ENV = "TIDELINE_API";

    /**
     * How the CLI reaches Kafka: with the identity of {@link #kafkaIdentity} over TLS when one is given (trusting
     * {@link #caFile}, else that directory's {@code ca.crt}); as principal {@code cli} over TLS when it talks to the
     * local runtime (whose certificates are in the home's secret store); else PLAINTEXT.
     */
    public io.tideline.core.kafka.KafkaConnection kafkaConnection() {
        if (kafkaBootstrapServers.isBlank()) {
            throw CliException.notRunning();
        }
        if (kafkaIdentity.isPresent()) {
            Path trusted = caFile.orElseGet(() -> kafkaIdentity.get().resolve(io.tideline.core.tls.IdentityFiles.CA));
            CliTls.readCa(trusted, caFile.isPresent() ? CliTls.CA_OPTION : DeploymentOptions.KAFKA_IDENTITY_OPTION + " (its "
                    + io.tideline.core.tls.IdentityFiles.CA + "; or give " + CliTls.CA_OPTION + ")");
            CliTls.checkBrokerTrusted(kafkaBootstrapServers, trusted, answerTimeout);
            return io.tideline.core.kafka.KafkaConnection.tls(kafkaBootstrapServers, kafkaIdentity.get(), trusted);
        }
        boolean local = runtime.map(r -> r.kafkaBootstrapServers().equals(kafkaBootstrapServers)).orElse(false);
        return local ? io.tideline.runtime.RuntimeKafkaTls.connection(home, kafkaBootstrapServers, io.tideline.core.kafka.KafkaPrincipals.CLI)
                : io.tideline.core.kafka.KafkaConnection.plaintext(kafkaBootstrapServers);
    }

    /** The CA certificate the CLI trusts: {@link #caFile}, else the home's Tideline CA, else none (the JDK's). */
    public Optional<Path> trustedCa() {
        return caFile.or(() -> CliTls.caFile(home));
    }

    /** What the CLI trusts, as a client context that can say which certificate it refused. */
    CliTls.Trust trust() {
        return CliTls.Trust.of(trustedCa());
    }

    /** How the CLI talks to this deployment's object store: every call bounded by {@link #answerTimeout}. */
    public ObjectStoreSettings storeSettings() {
        URI endpoint = s3.orElseThrow(() -> CliException.failure("no S3 endpoint known (give --s3-endpoint)"));
        ObjectStoreSettings settings = ObjectStoreSettings.defaults(endpoint).withAnswerTimeout(answerTimeout);
        return trustedCa().map(settings::withTrustedCa).orElse(settings);
    }

    /** An HTTP client for the services' API: trusting {@link #trustedCa} when there is one, checking names. */
    public HttpClient apiClient() {
        return CliTls.httpClient(trustedCa(), answerTimeout);
    }

    /**
     * {@code failure} of an object-store call as the command reports it: {@link NoAnswer} when the store did
     * not answer in time (or could not be reached), else {@code failure} itself.
     */
    public RuntimeException storeFailure(RuntimeException failure) {
        Optional<CliException> untrusted = s3.flatMap(endpoint -> CliTls.untrusted("the object store", endpoint,
                CliTls.Trust.of(trustedCa()), failure));
        if (untrusted.isPresent()) {
            return untrusted.get();
        }
        if (s3.isPresent() && NoAnswer.isNoAnswer(failure)) {
            return NoAnswer.of(NoAnswer.OBJECT_STORE, s3.get(), answerTimeout, failure);
        }
        return failure;
    }
}
