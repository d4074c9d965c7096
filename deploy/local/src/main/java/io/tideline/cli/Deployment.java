package io.tideline.cli;

import io.tideline.runtime.RuntimeHome;
import io.tideline.runtime.RuntimeInfo;
import java.net.URI;
import java.util.Optional;

/**
 * The deployment a command talks to: given by flags or environment, else the embedded runtime of the
 * home (from its {@code runtime.json}).
 *
 * @param kafkaBootstrapServers always known (a command cannot do anything without Kafka)
 * @param s3                    the object store, when known (audit checks checksums with it)
 * @param api                   the services' HTTP API, when known (the Backups view)
 * @param runtime               the local runtime, when one runs
 */
public record Deployment(RuntimeHome home, String kafkaBootstrapServers, Optional<URI> s3, Optional<URI> api,
                         Optional<RuntimeInfo> runtime) {

    /** Environment variable naming Kafka's bootstrap servers of another deployment. */
    public static final String KAFKA_ENV = "TIDELINE_KAFKA";
    public static final String S3_ENV = "TIDELINE_S3";
    public static final String API_ENV = "TIDELINE_API";
}
