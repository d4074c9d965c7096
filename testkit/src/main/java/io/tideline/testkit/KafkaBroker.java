package io.tideline.testkit;

import io.tideline.processes.KafkaBrokerProcess;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The real Kafka broker shared by every test of this JVM (see {@link KafkaExtension}).
 * Tests must not assume an empty broker: use unique topic and group names.
 */
public final class KafkaBroker implements ExtensionContext.Store.CloseableResource, AutoCloseable {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(KafkaBroker.class);

    private final KafkaBrokerProcess process;

    private KafkaBroker(KafkaBrokerProcess process) {
        this.process = process;
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

    /** Minimal client properties (bootstrap servers only) to build producers, consumers and admins on. */
    public Properties clientProperties() {
        Properties properties = new Properties();
        properties.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        return properties;
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
