package io.tideline.cli.events;

import io.tideline.cli.CliException;
import io.tideline.cli.Deployment;
import io.tideline.cli.NoAnswer;
import io.tideline.core.kafka.EventPublisher;
import io.tideline.core.kafka.KafkaConnection;
import io.tideline.core.kafka.Topics;
import io.tideline.core.registry.InstanceRegistry;
import io.tideline.schemas.serde.AvroEventSerializer;
import io.tideline.schemas.serde.EventCodec;
import java.time.Duration;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The CLI's Kafka clients for one deployment, every call bounded by the deployment's answer timeout: a
 * command pointed at a Kafka that does not answer says so ({@link NoAnswer}, exit 3) instead of hanging.
 */
public final class KafkaAccess implements AutoCloseable {

    private final KafkaConnection connection;
    private final Duration answerTimeout;
    private final EventCodec codec;
    private EventPublisher publisher;
    private InstanceRegistry registry;

    public KafkaAccess(String bootstrapServers, Duration answerTimeout) {
        this(KafkaConnection.plaintext(bootstrapServers), answerTimeout);
    }

    /** Kafka as the principal of {@code connection} (the CLI's: {@code cli}). */
    public KafkaAccess(KafkaConnection connection, Duration answerTimeout) {
        this.connection = connection;
        this.answerTimeout = answerTimeout;
        this.codec = EventCodec.standard();
    }

    /** The Kafka of {@code deployment}, with its answer timeout. */
    public static KafkaAccess of(Deployment deployment) {
        return new KafkaAccess(deployment.kafkaConnection(), deployment.answerTimeout());
    }

    public Duration answerTimeout() {
        return answerTimeout;
    }

    /** The error a command gives when Kafka did not answer in time. */
    public CliException noAnswer(Throwable cause) {
        return NoAnswer.of(NoAnswer.KAFKA, connection.bootstrapServers(), answerTimeout, cause);
    }

    public String bootstrapServers() {
        return connection.bootstrapServers();
    }

    public KafkaConnection connection() {
        return connection;
    }

    public EventCodec codec() {
        return codec;
    }

    /**
     * The idempotent, acks=all publisher every service uses. Metadata waits ({@code max.block.ms}) and each
     * request are bounded by the answer timeout; a send is given up after twice that ({@code delivery.timeout.ms}
     * must cover linger plus one request), so {@code publishAndWait} fails well before the publisher's own
     * 60 s wait. Use {@link #publish} to get the failure as {@link NoAnswer}.
     */
    public synchronized EventPublisher publisher() {
        if (publisher == null) {
            Map<String, Object> config = EventPublisher.producerConfig(connection);
            config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) answerTimeout.toMillis());
            config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) answerTimeout.multipliedBy(2).toMillis());
            config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) answerTimeout.toMillis());
            publisher = new EventPublisher(new KafkaProducer<>(config, new StringSerializer(), new AvroEventSerializer(codec)));
        }
        return publisher;
    }

    /** Publishes and waits for Kafka's acknowledgement; a Kafka that does not answer is {@link NoAnswer}. */
    public RecordMetadata publish(String topic, String key, SpecificRecord event) {
        try {
            return publisher().publishAndWait(topic, key, event);
        } catch (EventPublisher.PublishException e) {
            if (NoAnswer.isNoAnswer(e)) {
                throw noAnswer(e);
            }
            throw e;
        }
    }

    /** Reads {@code topic} from its current end: what is published after this call. */
    public EventStream fromEnd(String topic) {
        return EventStream.open(this, topic, false);
    }

    /** Reads {@code topic} from its first record. */
    public EventStream fromBeginning(String topic) {
        return EventStream.open(this, topic, true);
    }

    /** The registered instances as {@code tideline.instances} says they are, read to its end. */
    public synchronized InstanceLookup instances() {
        if (registry == null) {
            registry = new InstanceRegistry(connection, Topics.INSTANCES, codec).start();
            boolean caughtUp;
            try {
                caughtUp = registry.awaitCaughtUp(answerTimeout);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw CliException.failure("interrupted while reading the instance registry");
            }
            if (!caughtUp) {
                throw noAnswer(null);
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
