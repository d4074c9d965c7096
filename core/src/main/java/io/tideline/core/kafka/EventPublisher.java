package io.tideline.core.kafka;

import io.tideline.schemas.serde.AvroEventSerializer;
import io.tideline.schemas.serde.EventCodec;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Publishes Tideline events. One idempotent producer per service ({@code acks=all},
 * {@code enable.idempotence=true}): a record is acknowledged only once every in-sync replica has
 * it, and producer retries never duplicate or reorder records of a partition.
 *
 * <p>"Published" means the returned future completed: callers that report something as stored or
 * done must wait for it (or use {@link #publishAndWait}).
 */
public class EventPublisher implements AutoCloseable {

    /** Upper bound of a blocking publish; the producer's own delivery timeout (2 min) is longer. */
    public static final Duration DEFAULT_WAIT = Duration.ofSeconds(60);

    private final Producer<String, SpecificRecord> producer;

    /** A PLAINTEXT publisher (tests); services get theirs from {@link EventPublishers}. */
    public EventPublisher(String bootstrapServers, EventCodec codec) {
        this(KafkaConnection.plaintext(bootstrapServers), codec);
    }

    /** A publisher of the principal of {@code connection}. */
    public EventPublisher(KafkaConnection connection, EventCodec codec) {
        this(new KafkaProducer<>(producerConfig(connection), new StringSerializer(), new AvroEventSerializer(codec)));
    }

    /** For callers that build their own producer (it is closed by {@link #close()}). */
    public EventPublisher(Producer<String, SpecificRecord> producer) {
        this.producer = producer;
    }

    /** The producer settings Tideline relies on; the serializers are passed as instances. */
    public static Map<String, Object> producerConfig(String bootstrapServers) {
        return producerConfig(KafkaConnection.plaintext(bootstrapServers));
    }

    /** {@link #producerConfig(String)} for the principal of {@code connection}. */
    public static Map<String, Object> producerConfig(KafkaConnection connection) {
        Map<String, Object> config = new HashMap<>(connection.config());
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        config.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "zstd");
        // the topics' max.message.bytes: a larger record is refused here, before it is sent
        config.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Topics.MAX_RECORD_BYTES);
        return config;
    }

    /** Sends {@code event} keyed by {@code key} (the instance id); completes when the broker acknowledged it. */
    public CompletableFuture<RecordMetadata> publish(String topic, String key, SpecificRecord event) {
        if (event == null) {
            throw new IllegalArgumentException("no event to publish on " + topic + " (use tombstone() to remove a key)");
        }
        return send(new ProducerRecord<>(topic, key, event));
    }

    /** Publishes and waits for the acknowledgement; throws {@link PublishException} if it did not come. */
    public RecordMetadata publishAndWait(String topic, String key, SpecificRecord event) {
        return await(publish(topic, key, event), topic, key);
    }

    /** A null value for {@code key}: on a compacted topic, the key's removal. */
    public CompletableFuture<RecordMetadata> tombstone(String topic, String key) {
        if (key == null) {
            throw new IllegalArgumentException("a tombstone needs a key");
        }
        return send(new ProducerRecord<>(topic, key, null));
    }

    /** {@link #tombstone} and wait for the acknowledgement. */
    public RecordMetadata tombstoneAndWait(String topic, String key) {
        return await(tombstone(topic, key), topic, key);
    }

    private CompletableFuture<RecordMetadata> send(ProducerRecord<String, SpecificRecord> record) {
        CompletableFuture<RecordMetadata> result = new CompletableFuture<>();
        try {
            producer.send(record, (metadata, error) -> {
                if (error != null) {
                    result.completeExceptionally(new PublishException("cannot publish to " + record.topic()
                            + " (key " + record.key() + "): " + reason(error), error));
                } else {
                    result.complete(metadata);
                }
            });
        } catch (RuntimeException e) {
            // serialization errors and a closed producer are thrown by send() itself
            result.completeExceptionally(new PublishException("cannot publish to " + record.topic()
                    + " (key " + record.key() + "): " + e.getMessage(), e));
        }
        return result;
    }

    /**
     * The producer retries a broker's refusal (e.g. NOT_ENOUGH_REPLICAS) until its delivery timeout and then
     * reports only "Expiring N record(s)": say what that can mean, the producer's own warnings name the error.
     */
    private static String reason(Exception error) {
        if (error instanceof org.apache.kafka.common.errors.TimeoutException) {
            return error.getMessage() + " (not acknowledged within the delivery timeout: Kafka unreachable, a partition "
                    + "without a leader, or fewer in-sync replicas than the topic's min.insync.replicas; the producer's "
                    + "warnings name the broker's error)";
        }
        return error.getMessage();
    }

    private static RecordMetadata await(CompletableFuture<RecordMetadata> future, String topic, String key) {
        try {
            return future.get(DEFAULT_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PublishException("interrupted while publishing to " + topic, e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof PublishException p ? p
                    : new PublishException("cannot publish to " + topic + ": " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new PublishException("no acknowledgement from Kafka within " + DEFAULT_WAIT + " for " + topic
                    + " (key " + key + ")", e);
        }
    }

    /** Waits for records in flight, then releases the producer. */
    @Override
    public void close() {
        producer.close(Duration.ofSeconds(10));
    }

    /** An event that Kafka did not acknowledge. */
    public static final class PublishException extends RuntimeException {
        public PublishException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
