package io.tideline.core.kafka;

import io.micronaut.core.bind.exceptions.UnsatisfiedArgumentException;
import io.tideline.schemas.DeadLetter;
import io.tideline.schemas.serde.EventCodec;
import io.tideline.schemas.serde.EventCodecException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.errors.RecordDeserializationException;

/**
 * A record a consumer gave up on, with where it came from and why: the content of a {@link DeadLetter}.
 *
 * @param value the record's value bytes: the original bytes when it could not be decoded; the
 *              decoded event re-encoded with its current schema otherwise (the consumer no longer
 *              holds the original bytes); null for a null value
 */
public record FailedRecord(String topic, int partition, long offset, String key, byte[] value,
        FailureKind kind, String error, String errorClass) {

    /**
     * How much of the value a truncated dead letter keeps: enough to recognise the record, small
     * enough that the dead letter fits any topic whatever the rest of it holds.
     */
    public static final int TRUNCATED_VALUE_BYTES = 64 * 1024;
    /** How much of the error text a truncated dead letter keeps (an exception message can be huge too). */
    public static final int TRUNCATED_ERROR_CHARS = 4 * 1024;

    public FailedRecord {
        if (topic == null || partition < 0 || offset < 0) {
            throw new IllegalArgumentException("a failed record needs its topic, partition and offset");
        }
        if (error == null || error.isBlank()) {
            error = errorClass;
        }
    }

    /**
     * What failed, from the listener's exception and the record micronaut-kafka passed along; empty
     * when there is no record to point at (a failed commit, a broken connection).
     */
    public static Optional<FailedRecord> of(Throwable error, ConsumerRecord<?, ?> record, EventCodec codec) {
        FailureKind kind = FailureKind.of(error);
        RecordDeserializationException undecodable = find(error, RecordDeserializationException.class);
        if (undecodable != null) {
            // micronaut-kafka passes a record without key and value here; the exception has the raw bytes (KIP-1036)
            Throwable reason = undecodable.getCause() != null ? undecodable.getCause() : undecodable;
            return Optional.of(new FailedRecord(undecodable.topicPartition().topic(), undecodable.topicPartition().partition(),
                    undecodable.offset(), keyText(undecodable.keyBuffer()), bytes(undecodable.valueBuffer()),
                    FailureKind.UNDECODABLE, reason.getMessage(), reason.getClass().getName()));
        }
        if (record == null) {
            return Optional.empty();
        }
        Throwable reason = kind == FailureKind.INVALID ? invalidReason(error) : error;
        return Optional.of(new FailedRecord(record.topic(), record.partition(), record.offset(),
                record.key() == null ? null : record.key().toString(), valueBytes(record.value(), codec),
                kind, reason.getMessage(), reason.getClass().getName()));
    }

    /** The exception that made {@link FailureKind#of} call it invalid: the listener's own, or micronaut's binding failure. */
    private static Throwable invalidReason(Throwable error) {
        Throwable invalid = find(error, InvalidRecordException.class);
        if (invalid != null) {
            return invalid;
        }
        Throwable unbound = find(error, UnsatisfiedArgumentException.class);
        return unbound != null ? unbound : error;
    }

    /**
     * A copy that fits the dead-letter topic when this one did not ({@code refusal} says why): the
     * value cut to {@link #TRUNCATED_VALUE_BYTES}, the error to {@link #TRUNCATED_ERROR_CHARS}, and
     * the error saying the original size and the refusal, so the record can still be found at its
     * coordinates in its own topic.
     */
    public FailedRecord truncated(String refusal) {
        int size = value == null ? 0 : value.length;
        byte[] kept = value == null ? null : Arrays.copyOf(value, Math.min(size, TRUNCATED_VALUE_BYTES));
        String note = " [dead-lettered truncated: value of " + size + " bytes, first " + (kept == null ? 0 : kept.length)
                + " kept; the full dead letter was refused: " + refusal + "]";
        String reason = error.length() + note.length() > TRUNCATED_ERROR_CHARS
                ? error.substring(0, Math.max(0, TRUNCATED_ERROR_CHARS - note.length())) : error;
        String full = reason + note;
        if (full.length() > TRUNCATED_ERROR_CHARS) {
            full = full.substring(0, TRUNCATED_ERROR_CHARS);
        }
        String shortKey = key == null || key.length() <= TRUNCATED_ERROR_CHARS ? key : key.substring(0, TRUNCATED_ERROR_CHARS);
        return new FailedRecord(topic, partition, offset, shortKey, kept, kind, full, errorClass);
    }

    /** The dead letter; its id is derived from group and coordinates, so a repeated failure has the same id. */
    public DeadLetter toDeadLetter(String consumerGroup, int attempts, Instant now) {
        String group = consumerGroup == null ? "" : consumerGroup;
        UUID eventId = UUID.nameUUIDFromBytes((group + "\n" + topic + "\n" + partition + "\n" + offset)
                .getBytes(StandardCharsets.UTF_8));
        return DeadLetter.newBuilder()
                .setEventId(eventId)
                .setInstanceId(key)
                .setOccurredAt(now)
                .setTopic(topic)
                .setPartition(partition)
                .setOffset(offset)
                .setKey(key)
                .setValue(value == null ? null : ByteBuffer.wrap(value))
                .setError(error)
                .setErrorClass(errorClass)
                .setConsumerGroup(group)
                .setAttempts(attempts)
                .build();
    }

    private static byte[] valueBytes(Object value, EventCodec codec) {
        if (value == null) {
            return null;
        }
        if (value instanceof byte[] raw) {
            return raw;
        }
        if (value instanceof SpecificRecord event) {
            try {
                return codec.encode(event);
            } catch (EventCodecException e) {
                // not one of ours (a test type): its text is still better than nothing for an operator
                return event.toString().getBytes(StandardCharsets.UTF_8);
            }
        }
        return value.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String keyText(ByteBuffer key) {
        byte[] bytes = bytes(key);
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }

    private static byte[] bytes(ByteBuffer buffer) {
        if (buffer == null) {
            return null;
        }
        ByteBuffer copy = buffer.duplicate();
        byte[] bytes = new byte[copy.remaining()];
        copy.get(bytes);
        return bytes;
    }

    private static <T extends Throwable> T find(Throwable error, Class<T> type) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }
}
