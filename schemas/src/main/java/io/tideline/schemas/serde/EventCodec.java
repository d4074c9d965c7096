package io.tideline.schemas.serde;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * Encodes and decodes Tideline events with Avro single-object encoding: two marker bytes
 * {@code C3 01}, the 8-byte little-endian CRC-64-AVRO fingerprint of the writer schema, then the
 * Avro binary body. The fingerprint says both WHICH event type it is (several share a topic) and
 * WHICH version of it wrote the bytes, so no schema-registry server is needed.
 *
 * <p>Thread-safe: Avro's message encoders and decoders are.
 */
public final class EventCodec {

    /** Length of the single-object header: marker (2) + fingerprint (8). */
    public static final int HEADER_LENGTH = 10;
    private static final byte MARKER_0 = (byte) 0xC3;
    private static final byte MARKER_1 = (byte) 0x01;

    private final SchemaStore store;
    private final Map<Class<?>, BinaryMessageEncoder<SpecificRecord>> encoders = new HashMap<>();
    private final Map<Class<?>, BinaryMessageDecoder<SpecificRecord>> decoders = new HashMap<>();

    public EventCodec(SchemaStore store) {
        this.store = store;
        for (SchemaStore.EventType type : store.eventTypes()) {
            // the class's own model carries its logical-type conversions (UUID, Instant)
            SpecificData model = SpecificData.getForClass(type.type());
            encoders.put(type.type(), new BinaryMessageEncoder<>(model, type.current()));
            BinaryMessageDecoder<SpecificRecord> decoder = new BinaryMessageDecoder<>(model, type.current());
            type.history().forEach(decoder::addSchema);
            decoders.put(type.type(), decoder);
        }
    }

    /** A codec over every event type, with the schema history found on the classpath. */
    public static EventCodec standard() {
        return new EventCodec(SchemaStore.fromClasspath());
    }

    public SchemaStore store() {
        return store;
    }

    /** The single-object encoding of {@code event}, which must be one of the store's event types. */
    public byte[] encode(SpecificRecord event) {
        BinaryMessageEncoder<SpecificRecord> encoder = encoders.get(event.getClass());
        if (encoder == null) {
            throw new EventCodecException("cannot encode " + event.getClass().getName()
                    + ": not a Tideline event type (see EventTypes.ALL)");
        }
        try {
            ByteBuffer buffer = encoder.encode(event);
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            return bytes;
        } catch (IOException | AvroRuntimeException | NullPointerException | ClassCastException e) {
            // Avro reports a missing required field as an NPE deep in the writer: say which record
            throw new EventCodecException("cannot encode " + event.getSchema().getName() + ": " + e, e);
        }
    }

    /** Decodes any known event, into the generated class of its current version. */
    public SpecificRecord decode(byte[] bytes) {
        long fingerprint = fingerprintOf(bytes);
        SchemaStore.WriterSchema writer = store.writerSchema(fingerprint).orElseThrow(() -> new EventCodecException(
                "unknown schema fingerprint " + Long.toUnsignedString(fingerprint, 16)
                        + ": not a known version of any Tideline event (an event type newer than this service?)"));
        Class<? extends SpecificRecord> type = writer.eventType().type();
        try {
            return decoders.get(type).decode(bytes);
        } catch (IOException | RuntimeException e) {
            throw new EventCodecException("cannot decode " + bytes.length + " bytes as " + type.getSimpleName()
                    + " (writer fingerprint " + Long.toUnsignedString(fingerprint, 16) + "): " + e.getMessage(), e);
        }
    }

    /** Decodes and checks the type: for topics that carry one record type only. */
    public <T extends SpecificRecord> T decode(byte[] bytes, Class<T> expected) {
        SpecificRecord record = decode(bytes);
        if (!expected.isInstance(record)) {
            throw new EventCodecException("expected " + expected.getSimpleName() + " but the bytes hold a "
                    + record.getSchema().getName());
        }
        return expected.cast(record);
    }

    /** The writer-schema fingerprint in a single-object header, after checking the marker. */
    public static long fingerprintOf(byte[] bytes) {
        if (bytes == null) {
            throw new EventCodecException("no bytes to decode (null)");
        }
        if (bytes.length < HEADER_LENGTH || bytes[0] != MARKER_0 || bytes[1] != MARKER_1) {
            throw new EventCodecException("not an Avro single-object encoded record (expected marker C3 01, got "
                    + preview(bytes) + ", " + bytes.length + " bytes)");
        }
        return ByteBuffer.wrap(bytes, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    private static String preview(byte[] bytes) {
        return HexFormat.ofDelimiter(" ").withUpperCase().formatHex(bytes, 0, Math.min(bytes.length, 4))
                + (bytes.length > 4 ? " ..." : "");
    }

    /** The schema an event type is encoded with today. */
    public Schema currentSchema(Class<? extends SpecificRecord> type) {
        return store.eventType(type).map(SchemaStore.EventType::current)
                .orElseThrow(() -> new EventCodecException(type.getName() + " is not a Tideline event type"));
    }
}
