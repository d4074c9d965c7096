package io.tideline.schemas.serde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class AvroEventSerdeTest {

    private final AvroEventSerializer serializer = new AvroEventSerializer();
    private final AvroEventDeserializer deserializer = new AvroEventDeserializer();

    @Test
    void severalEventTypesShareATopic() {
        for (SpecificRecord event : SampleEvents.all()) {
            byte[] bytes = serializer.serialize("tideline.timeline", event);

            assertEquals(event, deserializer.deserialize("tideline.timeline", bytes));
        }
    }

    @Test
    void aTombstoneStaysNull() {
        assertNull(serializer.serialize("tideline.instances", null));
        assertNull(deserializer.deserialize("tideline.instances", null));
    }

    @Test
    void garbageRaisesAKafkaSerializationExceptionNamingTheTopic() {
        byte[] garbage = "hello".getBytes(StandardCharsets.UTF_8);

        SerializationException e = assertThrows(SerializationException.class,
                () -> deserializer.deserialize("tideline.timeline", garbage));

        assertTrue(e.getMessage().startsWith("topic tideline.timeline: not an Avro single-object encoded record"), e.getMessage());
    }
}
