package io.tideline.schemas.serde;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Kafka value serializer for every Tideline event (single-object encoding, see {@link EventCodec}).
 * A null value stays null: that is a tombstone on the compacted instances topic.
 */
public class AvroEventSerializer implements Serializer<SpecificRecord> {

    private final EventCodec codec;

    /** For Kafka's by-class-name instantiation ({@code value.serializer}). */
    public AvroEventSerializer() {
        this(EventCodec.standard());
    }

    public AvroEventSerializer(EventCodec codec) {
        this.codec = codec;
    }

    @Override
    public byte[] serialize(String topic, SpecificRecord data) {
        if (data == null) {
            return null;
        }
        try {
            return codec.encode(data);
        } catch (EventCodecException e) {
            throw new SerializationException("topic " + topic + ": " + e.getMessage(), e);
        }
    }
}
