package io.tideline.core.kafka;

import io.micronaut.configuration.kafka.serde.SerdeRegistry;
import io.micronaut.core.order.Ordered;
import io.tideline.schemas.serde.AvroEventDeserializer;
import io.tideline.schemas.serde.AvroEventSerializer;
import io.tideline.schemas.serde.EventCodec;
import jakarta.inject.Singleton;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * Makes micronaut-kafka pick the Avro single-object serde for any listener body or client value
 * whose type is an Avro record, so a service cannot forget the {@code value.deserializer} property
 * and silently fall back to micronaut's JSON serde (every record would then be dead-lettered).
 * An explicit {@code kafka.consumers.*.value.deserializer} property still wins.
 */
@Singleton
public class AvroEventSerdeRegistry implements SerdeRegistry {

    private final EventCodec codec;

    public AvroEventSerdeRegistry(EventCodec codec) {
        this.codec = codec;
    }

    @SuppressWarnings("unchecked")
    @Override
    public <T> Serde<T> getSerde(Class<T> type) {
        if (!SpecificRecord.class.isAssignableFrom(type)) {
            return null;
        }
        return (Serde<T>) Serdes.serdeFrom(new AvroEventSerializer(codec), new AvroEventDeserializer(codec));
    }

    @Override
    public int getOrder() {
        // ahead of micronaut's JSON registry, which accepts every type
        return Ordered.HIGHEST_PRECEDENCE;
    }
}
