package io.tideline.cli;

import io.tideline.core.storage.ObjectStoreSettings;
import io.tideline.runtime.RuntimeHome;
import io.tideline.runtime.RuntimeInfo;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Optional;

/**
 * The deployment a command talks to: given by flags or environment, else the embedded runtime of the
 * home (from its {@code runtime.json}).
 *
 * @param kafkaBootstrapServers always known (a command cannot do anything without Kafka)
 * @param s3                    the object store, when known (audit checks checksums with it)
 * @param api                   the services' HTTP API, when known (the Backups view)
 * @param runtime               the local runtime, when one runs
 * @param answerTimeout         how long the command waits for any one answer of Kafka, the object store,
 *                              the API or PostgreSQL before it says which did not answer ({@link NoAnswer})
 */
public record Deployment(RuntimeHome home, String kafkaBootstrapServers, Optional<URI> s3, Optional<URI> api,
                         Optional<RuntimeInfo> runtime, Duration answerTimeout) {

    /** Environment variable naming Kafka's bootstrap servers of another deployment. */
    public static final String KAFKA_ENV = "TIDELINE_KAFKA";
    public static final String S3_ENV = "TIDELINE_S3";
    public static final String API_ENV = "TIDELINE_API";

    /**
     * How the CLI reaches Kafka: as principal {@code cli} over TLS when it talks to the local runtime (whose
     * certificates are in the home's secret store), PLAINTEXT to another deployment's Kafka.
     */
    public io.tideline.core.kafka.KafkaConnection kafkaConnection() {
        boolean local = runtime.map(r -> r.kafkaBootstrapServers().equals(kafkaBootstrapServers)).orElse(false);
        return local ? io.tideline.runtime.RuntimeKafkaTls.connection(home, kafkaBootstrapServers, io.tideline.core.kafka.KafkaPrincipals.CLI)
                : io.tideline.core.kafka.KafkaConnection.plaintext(kafkaBootstrapServers);
    }

    /** How the CLI talks to this deployment's object store: every call bounded by {@link #answerTimeout}. */
    public ObjectStoreSettings storeSettings() {
        URI endpoint = s3.orElseThrow(() -> CliException.failure("no S3 endpoint known (give --s3-endpoint)"));
        ObjectStoreSettings settings = ObjectStoreSettings.defaults(endpoint).withAnswerTimeout(answerTimeout);
        return CliTls.caFile(home).map(settings::withTrustedCa).orElse(settings);
    }

    /** An HTTP client for the services' API: trusting the home's Tideline CA when it has one, checking names. */
    public HttpClient apiClient() {
        return CliTls.httpClient(home, answerTimeout);
    }

    /**
     * {@code failure} of an object-store call as the command reports it: {@link NoAnswer} when the store did
     * not answer in time (or could not be reached), else {@code failure} itself.
     */
    public RuntimeException storeFailure(RuntimeException failure) {
        if (s3.isPresent() && NoAnswer.isNoAnswer(failure)) {
            return NoAnswer.of(NoAnswer.OBJECT_STORE, s3.get(), answerTimeout, failure);
        }
        return failure;
    }
}
