package io.tideline.core.changes;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.tideline.core.wal.Lsn;
import java.io.IOException;

/** The one JSON mapping of this package's formats: strict (unknown fields fail), LSNs as {@code X/Y}, times ISO-8601 UTC. */
final class ChangeJson {

    static final ObjectMapper MAPPER = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .registerModule(new SimpleModule("lsn")
                    .addSerializer(Lsn.class, new JsonSerializer<>() {
                        @Override
                        public void serialize(Lsn value, JsonGenerator gen, SerializerProvider serializers) throws IOException {
                            gen.writeString(value.toString());
                        }
                    })
                    .addDeserializer(Lsn.class, new JsonDeserializer<>() {
                        @Override
                        public Lsn deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
                            return Lsn.parse(p.getValueAsString());
                        }
                    }))
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    private ChangeJson() {
    }
}
