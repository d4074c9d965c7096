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

/**
 * The options every client command shares: which deployment to talk to, all but {@code --ca-file}
 * ({@link DeploymentOptions} adds it). {@code instance register} mixes in this class: its own {@code --ca-file} is the
 * PostgreSQL server's CA, so the deployment's CA reaches it by {@code $TIDELINE_CA_FILE} only.
 */
public class BaseDeploymentOptions {

    /** The CA certificate of another deployment ({@code --ca-file}). */
    public static final String CA_FILE_ENV = "TIDELINE_CA_FILE";
    /** The CLI's Kafka identity for another deployment ({@code --kafka-identity}). */
    public static final String KAFKA_IDENTITY_ENV = "TIDELINE_KAFKA_IDENTITY";
    static final String KAFKA_IDENTITY_OPTION = "--kafka-identity";

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

    @Option(names = KAFKA_IDENTITY_OPTION, paramLabel = "DIR",
            description = "The CLI's Kafka client identity for another deployment: DIR holds tls.crt, tls.key and ca.crt, as a "
                    + "Kubernetes TLS secret or a Strimzi KafkaUser secret (user.crt/user.key projected as tls.crt/tls.key) "
                    + "delivers them (default: $" + KAFKA_IDENTITY_ENV + ").")
    Path kafkaIdentity;

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
        return resolve(true);
    }

    /**
     * The deployment of a command that talks to the API only ({@code login}): Kafka need not be known (another
     * deployment's API is enough); its bootstrap servers are then empty and no Kafka client is made.
     *
     * @throws CliException {@link ExitCodes#NOT_RUNNING} when neither flags, environment nor a running local runtime name the API
     */
    public Deployment resolveApi() {
        Deployment target = resolve(false);
        if (target.api().isEmpty()) {
            throw CliException.notRunning();
        }
        return target;
    }

    private Deployment resolve(boolean kafkaRequired) {
        Map<String, String> env = environment();
        RuntimeHome runtimeHome = home();
        Optional<RuntimeInfo> runtime;
        try {
            runtime = RuntimeInfo.running(runtimeHome);
        } catch (IllegalStateException e) {
            throw CliException.failure(e.getMessage(), e);
        }
        Optional<String> knownKafka = first(Optional.ofNullable(bootstrapServers), env(env, Deployment.KAFKA_ENV),
                runtime.map(RuntimeInfo::kafkaBootstrapServers));
        String kafka = kafkaRequired ? knownKafka.orElseThrow(CliException::notRunning) : knownKafka.orElse("");
        Optional<URI> s3 = first(Optional.ofNullable(s3Endpoint), env(env, Deployment.S3_ENV).map(BaseDeploymentOptions::uri),
                runtime.map(RuntimeInfo::s3Endpoint));
        Optional<URI> apiUri = first(Optional.ofNullable(api), env(env, Deployment.API_ENV).map(BaseDeploymentOptions::uri),
                runtime.map(RuntimeInfo::api));
        Optional<Path> ca = first(caFileOption(), env(env, CA_FILE_ENV).map(Path::of));
        // a wrong path is a usage error here, before anything is sent (not a server that seems untrusted)
        ca.ifPresent(f -> CliTls.readCa(f, caFileOption().isPresent() ? CliTls.CA_OPTION : "$" + CA_FILE_ENV));
        Optional<Path> identity = first(Optional.ofNullable(kafkaIdentity), env(env, KAFKA_IDENTITY_ENV).map(Path::of));
        identity.ifPresent(BaseDeploymentOptions::checkIdentity);
        return new Deployment(runtimeHome, kafka, s3, apiUri, runtime, answerTimeout(env), ca, identity);
    }

    /** {@code --ca-file} when this command has that option and it was given. */
    Optional<Path> caFileOption() {
        return Optional.empty();
    }

    private static void checkIdentity(Path dir) {
        boolean own = java.nio.file.Files.isRegularFile(dir.resolve(io.tideline.core.tls.IdentityFiles.IDENTITY));
        boolean kubernetes = java.nio.file.Files.isRegularFile(dir.resolve(io.tideline.core.tls.IdentityFiles.KEY))
                && java.nio.file.Files.isRegularFile(dir.resolve(io.tideline.core.tls.IdentityFiles.CERTIFICATE));
        if (!own && !kubernetes) {
            throw CliException.usage(KAFKA_IDENTITY_OPTION + ": " + dir + " holds no TLS identity (tls.crt and tls.key, "
                    + "e.g. a Strimzi KafkaUser secret's user.crt and user.key saved under those names)");
        }
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
