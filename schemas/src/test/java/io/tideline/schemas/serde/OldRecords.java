package io.tideline.schemas.serde;

import java.nio.ByteBuffer;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;

/** Records as an older writer produced them: encoded with a version from the schema history, for evolution tests. */
final class OldRecords {

    private OldRecords() {
    }

    /** {@code fields} (Avro's Java representation: epoch millis for timestamps, strings for uuids) in {@code type}'s version {@code version}. */
    static byte[] encode(String type, int version, Map<String, Object> fields) {
        Schema schema = SchemaStore.readHistory(OldRecords.class.getClassLoader(), type).get(version - 1);
        GenericRecord record = new GenericData.Record(schema);
        fields.forEach(record::put);
        try {
            ByteBuffer bytes = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), schema).encode(record);
            byte[] encoded = new byte[bytes.remaining()];
            bytes.get(encoded);
            return encoded;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
