package io.tideline.schemas.serde;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Kafka value deserializer for every Tideline event: the fingerprint in each record picks the
 * generated class, so several event types can share one topic. A null value (tombstone) stays null.
 * Bytes that are not a known event raise a {@link SerializationException} naming the cause, which
 * the consumer surfaces as a {@code RecordDeserializationException} with topic, partition and offset.
 */
public class AvroEventDeserializer implements Deserializer<SpecificRecord> {

    private final EventCodec codec;

    /** For Kafka's by-class-name instantiation ({@code value.deserializer}). */
    public AvroEventDeserializer() {
        this(EventCodec.standard());
    }

    public AvroEventDeserializer(EventCodec codec) {
        this.codec = codec;
    }

    @Override
    public SpecificRecord deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        try {
            return codec.decode(data);
        } catch (EventCodecException e) {
            throw new SerializationException("topic " + topic + ": " + e.getMessage(), e);
        }
    }
}
