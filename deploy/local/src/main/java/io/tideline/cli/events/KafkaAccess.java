package io.tideline.cli.events;

import io.tideline.cli.CliException;
import io.tideline.core.kafka.EventPublisher;
import io.tideline.core.kafka.Topics;
import io.tideline.core.registry.InstanceRegistry;
import io.tideline.schemas.serde.AvroEventSerializer;
import io.tideline.schemas.serde.EventCodec;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The CLI's Kafka clients for one deployment, with short timeouts: a command pointed at a Kafka that
 * does not answer says so within seconds instead of hanging.
 */
public final class KafkaAccess implements AutoCloseable {

    /** How long a command waits for Kafka to answer at all. */
    public static final Duration REACH_TIMEOUT = Duration.ofSeconds(20);

    private final String bootstrapServers;
    private final EventCodec codec;
    private EventPublisher publisher;
    private InstanceRegistry registry;

    public KafkaAccess(String bootstrapServers) {
        this.bootstrapServers = bootstrapServers;
        this.codec = EventCodec.standard();
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    public EventCodec codec() {
        return codec;
    }

    /** The idempotent, acks=all publisher every service uses; fails within {@link #REACH_TIMEOUT} when Kafka is away. */
    public synchronized EventPublisher publisher() {
        if (publisher == null) {
            Map<String, Object> config = EventPublisher.producerConfig(bootstrapServers);
            config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) REACH_TIMEOUT.toMillis());
            config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) REACH_TIMEOUT.multipliedBy(2).toMillis());
            config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) REACH_TIMEOUT.toMillis());
            publisher = new EventPublisher(new KafkaProducer<>(config, new StringSerializer(), new AvroEventSerializer(codec)));
        }
        return publisher;
    }

    /** Reads {@code topic} from its current end: what is published after this call. */
    public EventStream fromEnd(String topic) {
        return EventStream.open(bootstrapServers, topic, codec, false, REACH_TIMEOUT);
    }

    /** Reads {@code topic} from its first record. */
    public EventStream fromBeginning(String topic) {
        return EventStream.open(bootstrapServers, topic, codec, true, REACH_TIMEOUT);
    }

    /** The registered instances as {@code tideline.instances} says they are, read to its end. */
    public synchronized InstanceLookup instances() {
        if (registry == null) {
            registry = new InstanceRegistry(bootstrapServers, Topics.INSTANCES, codec).start();
            boolean caughtUp;
            try {
                caughtUp = registry.awaitCaughtUp(REACH_TIMEOUT);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw CliException.failure("interrupted while reading the instance registry");
            }
            if (!caughtUp) {
                throw CliException.failure("cannot read " + Topics.INSTANCES + " from Kafka at " + bootstrapServers
                        + " within " + REACH_TIMEOUT.toSeconds() + " s");
            }
        }
        return new InstanceLookup(registry);
    }

    @Override
    public synchronized void close() {
        if (publisher != null) {
            publisher.close();
        }
        if (registry != null) {
            registry.close();
        }
    }
}
