package io.tideline.cli;

import io.tideline.runtime.RuntimeHome;
import io.tideline.runtime.DurationText;
import io.tideline.runtime.RuntimeInfo;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The options every client command shares: which deployment to talk to. */
public final class DeploymentOptions {

    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    @Option(names = "--home", paramLabel = "DIR",
            description = "The runtime's home directory (default: $TIDELINE_HOME, else ./var).")
    Path home;

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT[,...]",
            description = "Kafka of another deployment (default: $TIDELINE_KAFKA, else the local runtime's).")
    String bootstrapServers;

    @Option(names = "--s3-endpoint", paramLabel = "URL",
            description = "Object store of another deployment (default: $TIDELINE_S3, else the local runtime's).")
    URI s3Endpoint;

    @Option(names = "--api", paramLabel = "URL",
            description = "HTTP API of another deployment's services (default: $TIDELINE_API, else the local runtime's).")
    URI api;

    @Option(names = "--answer-timeout", paramLabel = "DURATION",
            description = "How long to wait for Kafka, the object store, the API or PostgreSQL to answer one call before "
                    + "saying which did not (exit 3; default: $TIDELINE_ANSWER_TIMEOUT, else 10s).")
    String answerTimeout;

    /** The home these options name (used by commands that manage the local runtime). */
    public RuntimeHome home() {
        return RuntimeHome.resolve(Optional.ofNullable(home), environment());
    }

    /**
     * The deployment to talk to.
     *
     * @throws CliException {@link ExitCodes#NOT_RUNNING} when neither flags, environment nor a running local runtime name Kafka
     */
    public Deployment resolve() {
        Map<String, String> env = environment();
        RuntimeHome runtimeHome = home();
        Optional<RuntimeInfo> runtime;
        try {
            runtime = RuntimeInfo.running(runtimeHome);
        } catch (IllegalStateException e) {
            throw CliException.failure(e.getMessage(), e);
        }
        String kafka = first(Optional.ofNullable(bootstrapServers), env(env, Deployment.KAFKA_ENV),
                runtime.map(RuntimeInfo::kafkaBootstrapServers)).orElseThrow(CliException::notRunning);
        Optional<URI> s3 = first(Optional.ofNullable(s3Endpoint), env(env, Deployment.S3_ENV).map(DeploymentOptions::uri),
                runtime.map(RuntimeInfo::s3Endpoint));
        Optional<URI> apiUri = first(Optional.ofNullable(api), env(env, Deployment.API_ENV).map(DeploymentOptions::uri),
                runtime.map(RuntimeInfo::api));
        return new Deployment(runtimeHome, kafka, s3, apiUri, runtime, answerTimeout(env));
    }

    private Duration answerTimeout(Map<String, String> env) {
        Optional<String> given = first(Optional.ofNullable(answerTimeout), env(env, NoAnswer.TIMEOUT_ENV));
        if (given.isEmpty()) {
            return NoAnswer.DEFAULT_TIMEOUT;
        }
        Duration timeout;
        try {
            timeout = DurationText.parse(given.get());
        } catch (IllegalArgumentException e) {
            throw CliException.usage("--answer-timeout: " + e.getMessage());
        }
        if (timeout.compareTo(Duration.ofSeconds(1)) < 0) {
            throw CliException.usage("--answer-timeout: at least 1s, not " + given.get().strip());
        }
        return timeout;
    }

    private Map<String, String> environment() {
        return TidelineCli.of(mixee).environment();
    }

    private static Optional<String> env(Map<String, String> env, String name) {
        return Optional.ofNullable(env.get(name)).filter(v -> !v.isBlank());
    }

    private static URI uri(String value) {
        try {
            return URI.create(value.strip());
        } catch (IllegalArgumentException e) {
            throw CliException.usage("not a URL: '" + value + "'");
        }
    }

    @SafeVarargs
    private static <T> Optional<T> first(Optional<T>... candidates) {
        for (Optional<T> candidate : candidates) {
            if (candidate.isPresent()) {
                return candidate;
            }
        }
        return Optional.empty();
    }
}
