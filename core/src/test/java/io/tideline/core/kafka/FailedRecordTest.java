package io.tideline.core.kafka;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tideline.schemas.BackupCommand;
import io.tideline.schemas.BackupReason;
import io.tideline.schemas.DeadLetter;
import io.tideline.schemas.serde.EventCodec;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class FailedRecordTest {

    private static final Instant NOW = Instant.parse("2026-11-05T10:00:00Z");
    private final EventCodec codec = EventCodec.standard();

    @Test
    void undecodableBytesAreKeptAsTheyWereRead() {
        byte[] garbage = "not avro".getBytes(StandardCharsets.UTF_8);
        RecordDeserializationException error = new RecordDeserializationException(
                RecordDeserializationException.DeserializationExceptionOrigin.VALUE, new TopicPartition("t", 2), 41, 0L,
                TimestampType.CREATE_TIME, ByteBuffer.wrap("pg-1".getBytes(StandardCharsets.UTF_8)), ByteBuffer.wrap(garbage),
                new RecordHeaders(), "Error deserializing VALUE for partition t-2 at offset 41",
                new SerializationException("topic t: not an Avro single-object encoded record"));
        // what micronaut-kafka passes along for a poll-time failure: coordinates only
        ConsumerRecord<Object, Object> stub = new ConsumerRecord<>("t", 2, 41, null, null);

        FailedRecord failed = FailedRecord.of(error, stub, codec).orElseThrow();

        assertEquals(FailureKind.UNDECODABLE, failed.kind());
        assertEquals("t", failed.topic());
        assertEquals(2, failed.partition());
        assertEquals(41, failed.offset());
        assertEquals("pg-1", failed.key());
        assertArrayEquals(garbage, failed.value());
        assertEquals("topic t: not an Avro single-object encoded record", failed.error());
        assertEquals(SerializationException.class.getName(), failed.errorClass());
    }

    @Test
    void anInvalidRecordCarriesTheListenersReasonAndItsEncodedValue() {
        BackupCommand command = command();
        ConsumerRecord<Object, Object> record = new ConsumerRecord<>("tideline.backup-commands", 0, 7, "pg-1", command);
        RuntimeException thrown = new RuntimeException("wrapped", new InvalidRecordException("commandId is empty"));

        FailedRecord failed = FailedRecord.of(thrown, record, codec).orElseThrow();

        assertEquals(FailureKind.INVALID, failed.kind());
        assertEquals("commandId is empty", failed.error());
        assertEquals(InvalidRecordException.class.getName(), failed.errorClass());
        assertEquals(command, codec.decode(failed.value()));
    }

    @Test
    void aProcessingFailureKeepsItsOwnMessage() {
        ConsumerRecord<Object, Object> record = new ConsumerRecord<>("tideline.timeline", 1, 3, "pg-1", command());

        FailedRecord failed = FailedRecord.of(new UncheckedIOException("S3 unreachable", new java.io.IOException("refused")),
                record, codec).orElseThrow();

        assertEquals(FailureKind.PROCESSING, failed.kind());
        assertEquals("S3 unreachable", failed.error());
        assertEquals(UncheckedIOException.class.getName(), failed.errorClass());
    }

    @Test
    void withoutARecordThereIsNothingToDeadLetter() {
        assertTrue(FailedRecord.of(new IllegalStateException("commit failed"), null, codec).isEmpty());
    }

    @Test
    void theDeadLetterHasTheOriginAndAStableId() {
        ConsumerRecord<Object, Object> record = new ConsumerRecord<>("tideline.timeline", 1, 3, null, null);
        FailedRecord failed = FailedRecord.of(new InvalidRecordException("bad"), record, codec).orElseThrow();

        DeadLetter letter = failed.toDeadLetter("retention-service", 1, NOW);
        DeadLetter again = failed.toDeadLetter("retention-service", 1, NOW.plusSeconds(60));
        DeadLetter otherGroup = failed.toDeadLetter("restore-service", 1, NOW);

        assertEquals("tideline.timeline", letter.getTopic());
        assertEquals(1, letter.getPartition());
        assertEquals(3L, letter.getOffset());
        assertNull(letter.getKey());
        assertNull(letter.getValue());
        assertEquals(NOW, letter.getOccurredAt());
        assertEquals("bad", letter.getError());
        assertEquals(letter.getEventId(), again.getEventId());
        assertTrue(!letter.getEventId().equals(otherGroup.getEventId()));
        // and it is itself a publishable event
        assertEquals(letter, codec.decode(codec.encode(letter)));
    }

    @Test
    void failureKindsFollowTheCauseChain() {
        assertEquals(FailureKind.UNDECODABLE, FailureKind.of(new RuntimeException(new SerializationException("x"))));
        assertEquals(FailureKind.INVALID, FailureKind.of(new InvalidRecordException("x")));
        assertEquals(FailureKind.PROCESSING, FailureKind.of(new IllegalStateException("x")));
        assertTrue(FailureKind.INVALID.isPermanent());
        assertTrue(!FailureKind.PROCESSING.isPermanent());
    }

    private static BackupCommand command() {
        return BackupCommand.newBuilder().setEventId(UUID.randomUUID()).setInstanceId("pg-1").setOccurredAt(NOW)
                .setCommandId("").setReason(BackupReason.ON_DEMAND).setRequestedBy("alice").setRequestedAt(NOW).build();
    }

    /** Issue 17: a record near the size limit cannot be dead-lettered whole. */
    @Test
    void aTruncatedCopyKeepsTheStartOfTheValueTheSizeAndTheRefusal() {
        byte[] huge = new byte[1_048_400];
        java.util.Arrays.fill(huge, (byte) 7);
        FailedRecord record = new FailedRecord("tideline.backup-commands", 2, 17, "pg-1", huge, FailureKind.UNDECODABLE,
                "x".repeat(100_000), "org.apache.kafka.common.errors.SerializationException");

        FailedRecord truncated = record.truncated("RecordTooLargeException: too large");

        assertEquals(FailedRecord.TRUNCATED_VALUE_BYTES, truncated.value().length);
        assertEquals(7, truncated.value()[0]);
        assertEquals(FailedRecord.TRUNCATED_ERROR_CHARS, truncated.error().length());
        org.junit.jupiter.api.Assertions.assertTrue(truncated.error().endsWith("value of 1048400 bytes, first 65536 kept; "
                + "the full dead letter was refused: RecordTooLargeException: too large]"), truncated.error());
        assertEquals(List.of("tideline.backup-commands", 2, 17L, "pg-1"),
                List.of(truncated.topic(), truncated.partition(), truncated.offset(), truncated.key()));
        org.junit.jupiter.api.Assertions.assertTrue(codec.encode(truncated.toDeadLetter("g", 1, NOW)).length < 80 * 1024);
    }

    @Test
    void aSmallOrNullValueIsKeptWholeWhenTruncated() {
        FailedRecord nothing = new FailedRecord("t", 0, 1, null, null, FailureKind.INVALID, "no value", "E");
        assertEquals(null, nothing.truncated("refused").value());
        FailedRecord small = new FailedRecord("t", 0, 1, null, new byte[] {1, 2}, FailureKind.INVALID, "bad", "E");
        org.junit.jupiter.api.Assertions.assertArrayEquals(new byte[] {1, 2}, small.truncated("refused").value());
    }
}
