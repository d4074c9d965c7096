package io.tideline.core.kafka;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micronaut.context.ApplicationContext;
import io.tideline.schemas.BackupCommand;
import io.tideline.schemas.BackupReason;
import io.tideline.schemas.DeadLetter;
import io.tideline.schemas.serde.AvroEventDeserializer;
import io.tideline.schemas.serde.EventCodec;
import io.tideline.testkit.KafkaBroker;
import io.tideline.testkit.KafkaExtension;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

@ExtendWith(KafkaExtension.class)
class DeadLetterIT {

    private static final Duration WAIT = Duration.ofSeconds(60);

    private final KafkaBroker broker;
    private final EventCodec codec = EventCodec.standard();
    private final String topic = "it-commands-" + UUID.randomUUID();
    private final String group = "it-group-" + UUID.randomUUID();
    private ApplicationContext context;

    DeadLetterIT(KafkaBroker broker) {
        this.broker = broker;
    }

    @BeforeEach
    void startService() {
        // one partition: the order of what we publish is the order the listener sees
        broker.createTopic(topic);
        // no value.deserializer property: AvroEventSerdeRegistry must make micronaut-kafka pick the Avro serde
        context = ApplicationContext.run(Map.of(
                "kafka.bootstrap.servers", broker.bootstrapServers(),
                "spec.name", "DeadLetterIT",
                "spec.topic", topic,
                "spec.group", group));
    }

    @AfterEach
    void stopService() {
        if (context != null) {
            context.close();
        }
    }

    @Test
    void garbageIsDeadLetteredAndTheNextGoodRecordIsConsumed() throws Exception {
        byte[] garbage = "{\"definitely\": \"not avro\"}".getBytes(StandardCharsets.UTF_8);
        RecordMetadata garbageAt = sendRaw("pg-garbage", garbage);
        BackupCommand good = command("good-1", "alice");
        sendRaw("pg-1", codec.encode(good));

        DeadLetterTestListener listener = context.getBean(DeadLetterTestListener.class);
        await().atMost(WAIT).until(() -> listener.handled().contains(good));
        DeadLetter letter = awaitDeadLetter(garbageAt.offset());

        assertEquals(topic, letter.getTopic());
        assertEquals(garbageAt.partition(), letter.getPartition());
        assertEquals(garbageAt.offset(), letter.getOffset());
        assertEquals("pg-garbage", letter.getKey());
        assertArrayEquals(garbage, bytes(letter.getValue()));
        assertTrue(letter.getError().contains("not an Avro single-object encoded record"), letter.getError());
        assertEquals(group, letter.getConsumerGroup());
        assertEquals(1, letter.getAttempts());
        assertEquals(List.of(good), listener.handled(), "the garbage never reached the listener");

        // garbage as the LAST record: only the handler's own commit moves the group past it,
        // so a restarted service does not dead-letter it a second time
        RecordMetadata lastAt = sendRaw("pg-garbage", new byte[] {(byte) 0xC3, 0x01, 0, 0});
        awaitDeadLetter(lastAt.offset());
        await().atMost(WAIT).until(() -> committedOffset() == lastAt.offset() + 1);
    }

    @Test
    void aRecordTheListenerRejectsIsDeadLetteredAtOnceWithTheReason() throws Exception {
        BackupCommand invalid = command("bad-1", "invalid");
        RecordMetadata invalidAt = sendRaw("pg-1", codec.encode(invalid));
        BackupCommand good = command("good-2", "alice");
        sendRaw("pg-1", codec.encode(good));

        DeadLetterTestListener listener = context.getBean(DeadLetterTestListener.class);
        await().atMost(WAIT).until(() -> listener.handled().contains(good));
        DeadLetter letter = awaitDeadLetter(invalidAt.offset());

        assertEquals("command bad-1 names no instance", letter.getError());
        assertEquals(InvalidRecordException.class.getName(), letter.getErrorClass());
        assertEquals("pg-1", letter.getKey());
        assertEquals(invalid, codec.decode(bytes(letter.getValue())), "the value can be replayed");
        assertEquals(1, letter.getAttempts());
        assertEquals(1, listener.calls("bad-1"), "a permanent failure is not retried");
    }

    /**
     * Issue 17's soak: a record without the key a listener's parameter requires (retention's
     * {@code @KafkaKey String instanceId}) failed in micronaut's argument binding, which was taken as
     * a transient failure: retried with backoff (31 s in the services) before its dead letter, holding
     * the consumer; a few such records a minute and the group never caught up.
     */
    @Test
    void aRecordWithoutTheKeyTheListenerRequiresIsDeadLetteredAtOnce() throws Exception {
        BackupCommand keyless = command("keyless-1", "alice");
        RecordMetadata keylessAt = sendRaw(null, codec.encode(keyless));
        BackupCommand good = command("good-5", "alice");
        sendRaw("pg-1", codec.encode(good));

        DeadLetterTestListener listener = context.getBean(DeadLetterTestListener.class);
        await().atMost(WAIT).until(() -> listener.handled().contains(good));
        DeadLetter letter = awaitDeadLetter(keylessAt.offset());

        assertEquals(1, letter.getAttempts(), "binding cannot succeed on a retry: " + letter.getError());
        assertTrue(letter.getError().contains("instanceId"), letter.getError());
        assertEquals(null, letter.getKey());
        assertEquals(0, listener.calls("keyless-1"), "the listener never saw it");
    }

    @Test
    void transientFailuresAreRetriedAndOnlyDeadLetteredWhenTheRetriesRunOut() throws Exception {
        BackupCommand flaky = command("flaky-1", "flaky");
        RecordMetadata flakyAt = sendRaw("pg-1", codec.encode(flaky));
        BackupCommand broken = command("broken-1", "broken");
        RecordMetadata brokenAt = sendRaw("pg-2", codec.encode(broken));
        BackupCommand good = command("good-3", "alice");
        sendRaw("pg-1", codec.encode(good));

        DeadLetterTestListener listener = context.getBean(DeadLetterTestListener.class);
        await().atMost(WAIT).until(() -> listener.handled().contains(good));
        DeadLetter letter = awaitDeadLetter(brokenAt.offset());

        assertEquals(3, listener.calls("flaky-1"), "failed twice, then handled");
        assertTrue(listener.handled().contains(flaky));
        assertEquals(DeadLetterTestListener.RETRY_COUNT + 1, listener.calls("broken-1"));
        assertEquals(DeadLetterTestListener.RETRY_COUNT + 1, letter.getAttempts());
        assertEquals("object store unreachable (call 3)", letter.getError(), "the last error is kept");
        assertEquals(IllegalStateException.class.getName(), letter.getErrorClass());
        assertTrue(deadLetters().stream().noneMatch(d -> d.getOffset() == flakyAt.offset()), "a record that healed is no dead letter");
    }

    /** Issue 17: a record whose dead letter is too large for the producer stopped the consumer for good. */
    @Test
    void aRecordTooLargeToDeadLetterIsDeadLetteredTruncatedAndTheConsumerMovesOn() throws Exception {
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        log.start();
        Logger handlerLogger = (Logger) LoggerFactory.getLogger(DeadLetterExceptionHandler.class);
        handlerLogger.addAppender(log);
        try {
            // fits the topic, but its dead letter (value + coordinates + error) is over the producer's 1 MiB
            byte[] huge = new byte[1_048_400];
            java.util.Arrays.fill(huge, (byte) 0x7F);
            RecordMetadata hugeAt = sendRaw("pg-huge", huge);
            BackupCommand good = command("good-4", "alice");
            sendRaw("pg-1", codec.encode(good));

            DeadLetterTestListener listener = context.getBean(DeadLetterTestListener.class);
            await().atMost(Duration.ofSeconds(30)).until(() -> listener.handled().contains(good));
            DeadLetter letter = awaitDeadLetter(hugeAt.offset());

            assertEquals(topic, letter.getTopic());
            assertEquals(hugeAt.partition(), letter.getPartition());
            assertEquals(hugeAt.offset(), letter.getOffset());
            assertEquals("pg-huge", letter.getKey());
            byte[] kept = bytes(letter.getValue());
            assertTrue(kept.length > 0 && kept.length <= FailedRecord.TRUNCATED_VALUE_BYTES, "kept " + kept.length + " bytes");
            assertArrayEquals(java.util.Arrays.copyOf(huge, kept.length), kept, "the start of the value is kept");
            assertTrue(letter.getError().contains("1048400 bytes"), letter.getError());
            assertTrue(letter.getError().contains("not an Avro single-object encoded record"), letter.getError());
            assertTrue(log.list.size() < 20, "the handler logged " + log.list.size() + " lines");
        } finally {
            handlerLogger.detachAppender(log);
        }
    }

    /** Issue 17: producers and topics agree on the largest record; a larger one is refused before it is sent. */
    @Test
    void aRecordOverTheLimitIsRefusedByThePublisherBeforeItIsSent() {
        BackupCommand huge = command("huge-1", "x".repeat(Topics.MAX_RECORD_BYTES));
        EventPublisher publisher = context.getBean(EventPublisher.class);

        EventPublisher.PublishException refused = org.junit.jupiter.api.Assertions.assertThrows(EventPublisher.PublishException.class,
                () -> publisher.publishAndWait(topic, "pg-1", huge));

        assertTrue(refused.getMessage().contains("cannot publish to " + topic) && refused.getMessage().contains("max.request.size"),
                refused.getMessage());
        assertTrue(refused.getCause() instanceof org.apache.kafka.common.errors.RecordTooLargeException, refused.toString());
    }

    private RecordMetadata sendRaw(String key, byte[] value) throws Exception {
        Properties properties = broker.clientProperties();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(properties, new StringSerializer(), new ByteArraySerializer())) {
            return producer.send(new ProducerRecord<>(topic, key, value)).get();
        }
    }

    private DeadLetter awaitDeadLetter(long offset) {
        List<DeadLetter> found = new CopyOnWriteArrayList<>();
        await().atMost(WAIT).until(() -> {
            Optional<DeadLetter> letter = deadLetters().stream().filter(d -> d.getOffset() == offset).findFirst();
            letter.ifPresent(found::add);
            return letter.isPresent();
        });
        return found.get(0);
    }

    /** Every dead letter about this test's topic, read from the start of the dead-letter topic. */
    private List<DeadLetter> deadLetters() {
        Properties properties = broker.clientProperties();
        properties.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        properties.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, AvroEventDeserializer.class.getName());
        List<DeadLetter> letters = new CopyOnWriteArrayList<>();
        try (KafkaConsumer<String, SpecificRecord> consumer = new KafkaConsumer<>(properties)) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.DEAD_LETTERS).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> {
                    if (r.value() instanceof DeadLetter d && d.getTopic().equals(topic)) {
                        letters.add(d);
                    }
                });
            }
        }
        return letters;
    }

    private long committedOffset() throws Exception {
        try (Admin admin = broker.adminClient()) {
            OffsetAndMetadata committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get()
                    .get(new TopicPartition(topic, 0));
            return committed == null ? -1 : committed.offset();
        }
    }

    private static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer copy = buffer.duplicate();
        byte[] bytes = new byte[copy.remaining()];
        copy.get(bytes);
        return bytes;
    }

    private static BackupCommand command(String commandId, String requestedBy) {
        Instant now = Instant.now();
        return BackupCommand.newBuilder().setEventId(UUID.randomUUID()).setInstanceId("pg-1").setOccurredAt(now)
                .setCommandId(commandId).setReason(BackupReason.ON_DEMAND).setRequestedBy(requestedBy)
                .setRequestedAt(now).build();
    }
}
