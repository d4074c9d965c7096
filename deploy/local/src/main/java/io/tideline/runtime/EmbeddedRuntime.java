package io.tideline.runtime;

import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import io.tideline.core.config.StartFailure;
import io.tideline.core.tls.TlsCredentials;
import io.tideline.platform.local.secrets.DirectorySecretStore;
import io.tideline.processes.KafkaBrokerProcess;
import io.tideline.processes.S3ServerProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded all-in-one runtime: a single-node KRaft Kafka broker and the S3 server (each in its
 * own JVM, tied to this one by the testkit launchers' watchdogs), the managed PostgreSQL instances
 * of the home, and ONE Micronaut context with every service's beans and one HTTP server.
 * All state lives under one {@link RuntimeHome}; starting again on the same home finds everything.
 *
 * <p>{@code tideline up} runs it in a detached JVM ({@link RuntimeMain}); the demo and the tests
 * run it in their own JVM. Stopping goes in the reverse order of starting: services first (no
 * more work is taken), then the S3 server and Kafka. The instances are started (or adopted, when
 * they still run) but never stopped here: they outlive the runtime, whether it stops or is killed
 * ({@link ManagedInstances}); {@link ManagedInstances#stopAll} stops them when someone asks.
 */
public final class EmbeddedRuntime implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedRuntime.class);

    private final RuntimeHome home;
    private final Deque<Stoppable> started = new ArrayDeque<>();
    private FileChannel lockChannel;
    private FileLock lock;
    private RuntimeInfo info;
    private ApplicationContext context;
    private KafkaBrokerProcess kafka;
    private S3ServerProcess s3;
    private TlsRenewal tls;
    private boolean closed;

    private interface Stoppable {
        void stop();
    }

    private EmbeddedRuntime(RuntimeHome home) {
        this.home = home;
    }

    /**
     * Starts everything on {@code home} and writes {@code runtime.json}.
     *
     * @param progress told a short line before each step (for a narrating caller)
     * @throws RuntimeStartException naming the step that failed; whatever had started is stopped again
     */
    public static EmbeddedRuntime start(RuntimeHome home, RuntimeOptions options, Clock clock, Consumer<String> progress) {
        Objects.requireNonNull(options, "options");
        EmbeddedRuntime runtime = new EmbeddedRuntime(home.create());
        try {
            runtime.doStart(options, clock, progress);
            return runtime;
        } catch (RuntimeException e) {
            runtime.close();
            throw e instanceof RuntimeStartException r ? r : new RuntimeStartException(e.getMessage(), e);
        }
    }

    private void doStart(RuntimeOptions options, Clock clock, Consumer<String> progress) {
        acquireLock();
        RuntimePorts ports = RuntimePorts.forHome(home);
        DirectorySecretStore secrets = new DirectorySecretStore(home.secretsDir());
        if (FirstAdmin.ensure(home, secrets, clock)) {
            progress.accept("made the first admin '" + FirstAdmin.NAME + "': its password is in " + home.adminPasswordFile());
        }

        progress.accept("issuing the TLS certificates (Tideline CA in " + home.secretsDir() + ")");
        tls = new TlsRenewal(new TlsCredentials(secrets, clock));
        step("the TLS certificates", () -> {
            tls.ensure(RuntimeTls.HTTPS, RuntimeTls.loopbackServer(RuntimeTls.HTTPS));
            tls.ensure(RuntimeTls.S3, RuntimeTls.loopbackServer(RuntimeTls.S3));
            RuntimeKafkaTls.ensureIdentities(tls);
            RuntimeTls.publishCa(home, tls.credentials().caCertificate());
        });
        tls.start();
        started.push(tls::close);

        progress.accept("starting Kafka (KRaft, single node, TLS with a certificate per principal) on 127.0.0.1:" + ports.kafka());
        kafka = new KafkaBrokerProcess(new KafkaBrokerProcess.Settings(home.kafkaDir(),
                ports.kafka(), ports.kafkaController(), RuntimeOptions.START_TIMEOUT, KafkaBrokerProcess.DEFAULT_MAX_HEAP)
                .withTls(RuntimeKafkaTls.listeners(home)));
        step("Kafka", kafka::start);
        started.push(kafka::stop);
        step("Kafka's ACLs", () -> RuntimeKafkaTls.ensureAcls(home, kafka.bootstrapServers()));
        // the broker reads its key store file once: a renewal is applied by a dynamic update (no restart)
        tls.onRenewal(RuntimeKafkaTls.BROKER, renewed -> kafka.reloadKeyStore());

        progress.accept("starting the S3 server (HTTPS) on 127.0.0.1:" + ports.s3());
        S3AdminKeys admin = S3AdminKeys.forHome(secrets);
        s3 = new S3ServerProcess(new S3ServerProcess.Settings(home.s3DataDir(), home.s3IdentitiesDir(),
                home.s3Log(), ports.s3(), admin.accessKey(), admin.secretKey(), RuntimeOptions.START_TIMEOUT,
                S3ServerProcess.DEFAULT_MAX_HEAP).withTls(RuntimeTls.identityFile(home, RuntimeTls.S3)));
        step("the S3 server", s3::start);
        started.push(s3::stop);

        RuntimeEndpoints endpoints = new RuntimeEndpoints(kafka.bootstrapServers(), s3.endpoint(),
                URI.create("https://127.0.0.1:" + ports.http()));

        ManagedInstances instances = new ManagedInstances(home, secrets, clock);
        int count = instances.count();
        if (count > 0) {
            progress.accept("starting " + count + " managed PostgreSQL instance" + (count == 1 ? "" : "s") + " (adopting those still running)");
        }
        // Never registered for stopping: the instances outlive the runtime, however it ends (ManagedInstances).
        step("the managed PostgreSQL instances", instances::startAll);
        // the instances' certificates: renewed now when due, then at each of the runtime's renewal passes; a
        // renewed one is written and its server reloads (pg_reload_conf()), no restart
        tls.eachPass(instances::renewCertificates);

        progress.accept("starting the services (scheduler, archiver, retention, restore) on " + endpoints.api() + " (HTTPS only)");
        Map<String, Object> properties = RuntimeProperties.of(home, ports, endpoints, admin, options);
        step("the services", () -> startServices(properties, clock));
        started.push(this::stopServices);

        info = new RuntimeInfo(ProcessHandle.current().pid(), Instant.now(clock), home.root().toString(),
                endpoints.kafkaBootstrapServers(), endpoints.s3(), endpoints.api(), ports);
        info.write(home);
        LOG.info("tideline runtime up in {}: kafka {}, s3 {}, api {}", home, endpoints.kafkaBootstrapServers(),
                endpoints.s3(), endpoints.api());
    }

    private void startServices(Map<String, Object> properties, Clock clock) {
        context = ApplicationContext.builder()
                .deduceEnvironment(false)
                .banner(false)
                .properties(properties)
                .singletons(clock)
                .start();
        context.findBean(EmbeddedServer.class).ifPresent(EmbeddedServer::start);
    }

    private void stopServices() {
        if (context != null) {
            context.findBean(EmbeddedServer.class).ifPresent(server -> {
                if (server.isRunning()) {
                    server.stop();
                }
            });
            context.close();
            context = null;
        }
    }

    /** Runs one start step; a failure becomes a {@link RuntimeStartException} whose message a person can act on. */
    static void step(String what, Runnable action) {
        try {
            action.run();
        } catch (RuntimeException e) {
            throw new RuntimeStartException("cannot start " + what + ": " + StartFailure.reason(e), e);
        }
    }

    private void acquireLock() {
        try {
            lockChannel = FileChannel.open(home.lockFile(), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            lock = lockChannel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot lock " + home.lockFile(), e);
        }
        if (lock == null) {
            String who = RuntimeInfo.read(home).map(i -> " (pid " + i.pid() + ")").orElse("");
            throw new RuntimeStartException("another runtime already runs on " + home + who);
        }
    }

    /** Where it runs; valid once {@link #start} returned. */
    /** The Kafka broker's process, while it runs (tests freeze it to see what a client does). */
    public Optional<ProcessHandle> kafkaProcess() {
        return kafka == null ? Optional.empty() : kafka.processHandle();
    }

    /** The S3 server's process, while it runs (tests freeze it to see what a client does). */
    public Optional<ProcessHandle> s3ServerProcess() {
        return s3 == null ? Optional.empty() : s3.processHandle();
    }

    public RuntimeInfo info() {
        return info;
    }

    public RuntimeHome home() {
        return home;
    }

    /** The runtime's TLS identities and their renewal (tests renew on demand). */
    public TlsRenewal tls() {
        return tls;
    }

    /** The services' context (tests look beans up in it). */
    public ApplicationContext context() {
        return context;
    }

    /** Stops everything that was started, in reverse order; removes {@code runtime.json}. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        while (!started.isEmpty()) {
            try {
                started.pop().stop();
            } catch (RuntimeException e) {
                // Keep going: what comes after (Kafka, S3) must still be stopped.
                LOG.warn("while stopping the runtime: {}", e.getMessage(), e);
            }
        }
        try {
            if (info != null) {
                RuntimeInfo.remove(home);
            }
            if (lock != null) {
                lock.release();
            }
            if (lockChannel != null) {
                lockChannel.close();
            }
        } catch (IOException | UncheckedIOException e) {
            LOG.warn("while releasing {}: {}", home.lockFile(), e.getMessage());
        }
        LOG.info("tideline runtime in {} stopped", home);
    }

    /** Why a runtime could not start, for a person (one line). */
    public static final class RuntimeStartException extends RuntimeException {
        public RuntimeStartException(String message) {
            super(message);
        }

        public RuntimeStartException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** How clients reach the running pieces. */
    public record RuntimeEndpoints(String kafkaBootstrapServers, URI s3, URI api) {
    }

    /** For tests that need a bound on how long a stop may take. */
    public static final Duration STOP_TIMEOUT = Duration.ofSeconds(90);
}
