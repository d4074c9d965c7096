package io.tideline.testkit;

import io.tideline.core.kafka.KafkaConnection;
import io.tideline.core.kafka.KafkaPrincipals;
import io.tideline.core.tls.CertificateRequest;
import io.tideline.core.tls.TlsCredentials;
import io.tideline.platform.local.secrets.DirectorySecretStore;
import io.tideline.processes.KafkaBrokerProcess;
import io.tideline.processes.KafkaTlsListeners;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The real Kafka broker shared by every test of this JVM (see {@link KafkaExtension}).
 * Tests must not assume an empty broker: use unique topic and group names.
 */
public final class KafkaBroker implements ExtensionContext.Store.CloseableResource, AutoCloseable {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(KafkaBroker.class);

    /** The TLS identities' principals a TLS broker is made with (the services, the CLI, the admin). */
    private static final List<String> PRINCIPALS = List.of(KafkaPrincipals.SCHEDULER, KafkaPrincipals.ARCHIVER,
            KafkaPrincipals.RETENTION, KafkaPrincipals.RESTORE, KafkaPrincipals.CLI, KafkaPrincipals.ADMIN);
    private static final String BROKER_IDENTITY = "kafka-1";

    private final KafkaBrokerProcess process;
    private final Optional<TlsCredentials> credentials;
    private final Optional<Path> tlsDirectory;

    private KafkaBroker(KafkaBrokerProcess process) {
        this(process, Optional.empty(), Optional.empty());
    }

    private KafkaBroker(KafkaBrokerProcess process, Optional<TlsCredentials> credentials, Optional<Path> tlsDirectory) {
        this.process = process;
        this.credentials = credentials;
        this.tlsDirectory = tlsDirectory;
    }

    /**
     * A broker of the caller's own (closed by it, not shared) with TLS on every listener, client certificates
     * required and ACLs enforced, as the embedded runtime runs it. The Tideline CA issues the broker's and each
     * principal's identity into {@code <directory>/secrets/tls/}; {@link #connection} connects as one of them.
     * The admin principal is a super user; nobody else is granted anything until the ACLs are created.
     */
    public static KafkaBroker startWithTls(Path directory) {
        DirectorySecretStore secrets = new DirectorySecretStore(directory.resolve("secrets"));
        TlsCredentials credentials = new TlsCredentials(secrets, Clock.systemUTC());
        credentials.ensure(BROKER_IDENTITY, CertificateRequest.server(BROKER_IDENTITY, List.of("localhost"), List.of("127.0.0.1")));
        PRINCIPALS.forEach(p -> credentials.ensure(p, CertificateRequest.client(p)));
        Path tls = secrets.root().resolve("tls");
        KafkaBrokerProcess process = new KafkaBrokerProcess(KafkaBrokerProcess.Settings.in(directory.resolve("kafka"))
                .withTls(new KafkaTlsListeners(tls, BROKER_IDENTITY, List.of(KafkaPrincipals.ADMIN))));
        process.start();
        return new KafkaBroker(process, Optional.of(credentials), Optional.of(tls));
    }

    /** Whether this broker runs TLS listeners with ACLs ({@link #startWithTls}). */
    public boolean isTls() {
        return tlsDirectory.isPresent();
    }

    /** The identities' directory of a TLS broker ({@code secrets/tls}, Kafka's PEM key stores read it). */
    public Path tlsDirectory() {
        return tlsDirectory.orElseThrow(() -> new IllegalStateException("not a TLS broker"));
    }

    /** The CA and identities of a TLS broker: to issue further principals. */
    public TlsCredentials credentials() {
        return credentials.orElseThrow(() -> new IllegalStateException("not a TLS broker"));
    }

    /** How {@code principal} connects: TLS with its certificate on a TLS broker, PLAINTEXT otherwise. */
    public KafkaConnection connection(String principal) {
        return tlsDirectory.map(dir -> KafkaConnection.tls(bootstrapServers(), dir, principal))
                .orElseGet(() -> KafkaConnection.plaintext(bootstrapServers()));
    }

    /** The JVM-wide broker, started on first use in {@code <test home>/kafka}. */
    public static KafkaBroker of(ExtensionContext context) {
        TestHome home = TestHome.of(context);
        return context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent(KafkaBroker.class, k -> {
            KafkaBrokerProcess broker = KafkaBrokerProcess.startIn(home.dir("kafka"));
            return new KafkaBroker(broker);
        }, KafkaBroker.class);
    }

    public String bootstrapServers() {
        return process.bootstrapServers();
    }

    /**
     * Minimal client properties (bootstrap servers only; on a TLS broker, the admin principal's TLS settings)
     * to build producers, consumers and admins on.
     */
    public Properties clientProperties() {
        return connection(KafkaPrincipals.ADMIN).properties();
    }

    /** A new admin client; the caller closes it. */
    public Admin adminClient() {
        return Admin.create(clientProperties());
    }

    /** Creates a topic with one partition; an existing one is kept as it is. */
    public void createTopic(String name) {
        createTopics(List.of(new NewTopic(name, 1, (short) 1)));
    }

    /** Creates a topic with {@code partitions} and topic-level {@code configs}; an existing one is kept. */
    public void createTopic(String name, int partitions, Map<String, String> configs) {
        createTopics(List.of(new NewTopic(name, partitions, (short) 1).configs(configs)));
    }

    /** Creates topics and waits for them; topics that already exist are left untouched. */
    public void createTopics(Collection<NewTopic> topics) {
        try (Admin admin = adminClient()) {
            for (var entry : admin.createTopics(topics).values().entrySet()) {
                try {
                    entry.getValue().get(30, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("cannot create topic " + entry.getKey(), e.getCause());
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("topic creation timed out on " + bootstrapServers(), e);
        }
    }

    /** Stops the broker (data kept) to test an outage; {@link KafkaExtension} restarts it after the test. */
    public void stop() {
        process.stop();
    }

    /** Starts it again on the same port and data. */
    public void start() {
        process.start();
    }

    public boolean isRunning() {
        return process.isRunning();
    }

    /** The underlying process, e.g. for its log file. */
    public KafkaBrokerProcess process() {
        return process;
    }

    @Override
    public void close() {
        process.close();
    }

    static boolean isStarted(ExtensionContext context) {
        return context.getRoot().getStore(NAMESPACE).get(KafkaBroker.class, KafkaBroker.class) != null;
    }
}
