package io.tideline.schemas.serde;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tideline.schemas.BackupCommand;
import io.tideline.schemas.BackupReason;
import io.tideline.schemas.DeadLetter;
import io.tideline.schemas.RestoreRequested;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

class EventCodecTest {

    private final EventCodec codec = EventCodec.standard();

    @Test
    void everyEventTypeRoundTripsIntoItsOwnClass() {
        for (SpecificRecord event : SampleEvents.all()) {
            byte[] bytes = codec.encode(event);

            SpecificRecord decoded = codec.decode(bytes);

            assertEquals(event.getClass(), decoded.getClass());
            assertEquals(event, decoded);
        }
    }

    @Test
    void theBytesAreSingleObjectEncodedWithTheWriterFingerprint() throws Exception {
        BackupCommand command = SampleEvents.backupCommand();
        byte[] bytes = codec.encode(command);

        assertEquals((byte) 0xC3, bytes[0]);
        assertEquals((byte) 0x01, bytes[1]);
        long fingerprint = ByteBuffer.wrap(bytes, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(SchemaNormalization.parsingFingerprint64(BackupCommand.getClassSchema()), fingerprint);
        // interoperable: Avro's own decoder for the class reads it
        assertEquals(command, BackupCommand.getDecoder().decode(bytes));
    }

    @Test
    void logicalTypesSurviveAsUuidAndUtcInstant() {
        UUID id = UUID.fromString("9a1c1e9e-2f1a-4d8e-8a59-93a0b8f1c0de");
        Instant at = Instant.parse("2026-11-05T23:59:59.999Z");
        BackupCommand command = BackupCommand.newBuilder(SampleEvents.backupCommand()).setEventId(id).setOccurredAt(at).build();

        BackupCommand decoded = codec.decode(codec.encode(command), BackupCommand.class);

        assertEquals(id, decoded.getEventId());
        assertEquals(at, decoded.getOccurredAt());
    }

    @Test
    void garbageIsRejectedWithAClearMessage() {
        byte[] garbage = "{\"not\":\"avro\"}".getBytes(StandardCharsets.UTF_8);

        EventCodecException e = assertThrows(EventCodecException.class, () -> codec.decode(garbage));

        assertTrue(e.getMessage().contains("not an Avro single-object encoded record"), e.getMessage());
        assertTrue(e.getMessage().contains("7B 22 6E 6F"), e.getMessage());
    }

    @Test
    void tooShortAndEmptyInputsAreRejected() {
        assertThrows(EventCodecException.class, () -> codec.decode(new byte[0]));
        assertThrows(EventCodecException.class, () -> codec.decode(new byte[] {(byte) 0xC3, 0x01, 1, 2}));
        assertThrows(EventCodecException.class, () -> codec.decode((byte[]) null));
    }

    @Test
    void anUnknownFingerprintIsNamed() {
        byte[] bytes = codec.encode(SampleEvents.backupCommand());
        ByteBuffer.wrap(bytes, 2, 8).order(ByteOrder.LITTLE_ENDIAN).putLong(0x0123456789ABCDEFL);

        EventCodecException e = assertThrows(EventCodecException.class, () -> codec.decode(bytes));

        assertTrue(e.getMessage().contains("unknown schema fingerprint 123456789abcdef"), e.getMessage());
    }

    @Test
    void aTruncatedBodyIsRejectedNamingTheType() {
        byte[] bytes = codec.encode(SampleEvents.instanceRegistered());
        byte[] truncated = Arrays.copyOf(bytes, EventCodec.HEADER_LENGTH + 5);

        EventCodecException e = assertThrows(EventCodecException.class, () -> codec.decode(truncated));

        assertTrue(e.getMessage().startsWith("cannot decode 15 bytes as InstanceRegistered"), e.getMessage());
    }

    @Test
    void decodingAsTheWrongTypeIsRefused() {
        byte[] bytes = codec.encode(SampleEvents.backupCommand());

        EventCodecException e = assertThrows(EventCodecException.class, () -> codec.decode(bytes, RestoreRequested.class));

        assertEquals("expected RestoreRequested but the bytes hold a BackupCommand", e.getMessage());
    }

    @Test
    void aRecordMissingARequiredFieldIsNotEncoded() {
        BackupCommand incomplete = new BackupCommand();
        incomplete.setEventId(UUID.randomUUID());
        incomplete.setInstanceId("pg-1");
        incomplete.setOccurredAt(Instant.EPOCH);
        incomplete.setReason(BackupReason.DAILY);

        EventCodecException e = assertThrows(EventCodecException.class, () -> codec.encode(incomplete));

        assertTrue(e.getMessage().startsWith("cannot encode BackupCommand"), e.getMessage());
    }

    @Test
    void aNestedTypeIsNotATopLevelEvent() {
        io.tideline.schemas.WalRange nested = io.tideline.schemas.WalRange.newBuilder().setTimeline(1)
                .setFromSegment("000000010000000000000001").setToSegment("000000010000000000000001").build();

        EventCodecException e = assertThrows(EventCodecException.class, () -> codec.encode(nested));

        assertTrue(e.getMessage().contains("not a Tideline event type"), e.getMessage());
    }

    @Test
    void anOldRecordDecodesIntoTheCurrentClassWithDefaultsFilledIn() throws Exception {
        // Pretend DeadLetter once had no 'attempts' field (v1) and today's class (v2) added it with default 1.
        Schema v1 = SchemaCompatibilityTest.withoutField(DeadLetter.getClassSchema(), "attempts");
        Schema v2 = DeadLetter.getClassSchema();
        EventCodec evolved = new EventCodec(SchemaStore.of(List.of(DeadLetter.class), type -> List.of(v1, v2)));
        DeadLetter sample = SampleEvents.deadLetter();
        GenericRecord old = new GenericData.Record(v1);
        for (Schema.Field field : v1.getFields()) {
            old.put(field.name(), sample.get(field.name()));
        }
        GenericData model = new GenericData();
        model.addLogicalTypeConversion(new org.apache.avro.Conversions.UUIDConversion());
        model.addLogicalTypeConversion(new org.apache.avro.data.TimeConversions.TimestampMillisConversion());
        byte[] v1Bytes = new BinaryMessageEncoder<GenericRecord>(model, v1).encode(old).array();

        DeadLetter decoded = evolved.decode(v1Bytes, DeadLetter.class);

        assertEquals(1, decoded.getAttempts());
        assertEquals(sample.getTopic(), decoded.getTopic());
        assertEquals(sample.getOffset(), decoded.getOffset());
        assertArrayEquals(sample.getValue().array(), decoded.getValue().array());
        // and the standard codec, which never saw that v1, says so instead of misreading it
        EventCodecException e = assertThrows(EventCodecException.class, () -> codec.decode(v1Bytes));
        assertTrue(e.getMessage().contains("unknown schema fingerprint"), e.getMessage());
    }

    @Test
    void aRecordWrittenTodayIsReadableByASyntheticV2Reader() throws Exception {
        Schema v1 = BackupCommand.getClassSchema();
        Schema v2 = SchemaCompatibilityTest.addField(v1, new Schema.Field("priority",
                Schema.createUnion(Schema.create(Schema.Type.NULL), Schema.create(Schema.Type.INT)), null, Schema.Field.NULL_DEFAULT_VALUE));
        BackupCommand command = SampleEvents.backupCommand();
        byte[] v1Bytes = codec.encode(command);

        BinaryMessageDecoder<GenericRecord> v2Reader = new BinaryMessageDecoder<>(GenericData.get(), v2);
        v2Reader.addSchema(v1);
        GenericRecord read = v2Reader.decode(v1Bytes);

        assertNull(read.get("priority"));
        assertEquals(command.getCommandId(), read.get("commandId").toString());
        assertEquals(command.getReason().name(), read.get("reason").toString());
        assertInstanceOf(GenericRecord.class, read);
    }
}
