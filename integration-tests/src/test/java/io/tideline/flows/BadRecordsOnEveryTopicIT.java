package io.tideline.flows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import io.tideline.core.kafka.ConsumerProgressHealth;
import io.tideline.core.kafka.TopicCreator;
import io.tideline.core.kafka.Topics;
import io.tideline.core.kafka.TopicsConfiguration;
import io.tideline.schemas.BackupCommand;
import io.tideline.schemas.BackupReason;
import io.tideline.schemas.DeadLetter;
import io.tideline.schemas.RestoreRequested;
import io.tideline.schemas.serde.AvroEventDeserializer;
import io.tideline.schemas.serde.EventCodec;
import io.tideline.testkit.Fleet;
import io.tideline.testkit.FleetExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 17: on every topic a service consumes, a record of the wrong type and a record without a
 * value are bad input: dead-lettered with their coordinates, and the consumer goes on (the second
 * bad record, after the first on the same partition, is dead-lettered too). A null value on the
 * compacted {@code tideline.instances} is a removal, not bad input.
 */
@Tag("flow")
@ExtendWith(FleetExtension.class)
class BadRecordsOnEveryTopicIT {

    private static final Duration WAIT = Duration.ofSeconds(60);

    private final EventCodec codec = EventCodec.standard();

    @Test
    void wrongTypesAndEmptyRecordsAreDeadLetteredOnEveryConsumedTopic(Fleet fleet) throws Exception {
        try (Admin admin = fleet.kafka().adminClient()) {
            new TopicCreator(admin, Duration.ofSeconds(30)).ensure(Topics.specs(TopicsConfiguration.defaults()));
        }
        Map<String, Object> props = new HashMap<>(fleet.serviceProperties());
        props.put("spec.name", "BadRecordsOnEveryTopicIT");
        props.put("micronaut.server.host", "127.0.0.1");
        try (EmbeddedServer server = ApplicationContext.run(EmbeddedServer.class, props)) {
            assertTrue(server.getApplicationContext().containsBean(ConsumerProgressHealth.class),
                    "a held consumer turns /health DOWN");

            String suffix = UUID.randomUUID().toString().substring(0, 8);
            // per topic: a wrong type, then an empty record, with the same key (same partition, in that order)
            Map<String, SpecificRecord> wrongTypes = new LinkedHashMap<>();
            wrongTypes.put(Topics.BACKUP_COMMANDS, request("bad-commands-" + suffix));
            wrongTypes.put(Topics.TIMELINE, command("bad-timeline-" + suffix));
            wrongTypes.put(Topics.RESTORE_REQUESTS, command("bad-requests-" + suffix));
            wrongTypes.put(Topics.RESTORE_EVENTS, command("bad-events-" + suffix));
            wrongTypes.put(Topics.INSTANCES, command("bad-instances-" + suffix));

            List<RecordMetadata> bad = new ArrayList<>();
            try (KafkaProducer<String, byte[]> producer = rawProducer(fleet)) {
                for (Map.Entry<String, SpecificRecord> e : wrongTypes.entrySet()) {
                    String key = keyOf(e.getKey(), suffix);
                    bad.add(producer.send(new ProducerRecord<>(e.getKey(), key, codec.encode(e.getValue()))).get());
                    RecordMetadata empty = producer.send(new ProducerRecord<>(e.getKey(), key, null)).get();
                    if (!e.getKey().equals(Topics.INSTANCES)) {
                        bad.add(empty);
                    }
                }
            }

            Awaitility.await().atMost(WAIT).untilAsserted(() -> {
                List<DeadLetter> letters = deadLetters(fleet);
                for (RecordMetadata record : bad) {
                    assertTrue(letters.stream().anyMatch(d -> d.getTopic().equals(record.topic())
                                    && d.getPartition() == record.partition() && d.getOffset() == record.offset()),
                            "no dead letter for " + record);
                }
            });
            // Issue 16: dead letters are counted per source topic (tideline_dead_letters_total{topic}); a topic
            // read by several consumer groups is dead-lettered by each, hence "at least".
            io.micrometer.core.instrument.MeterRegistry meters = server.getApplicationContext()
                    .getBean(io.micrometer.core.instrument.MeterRegistry.class);
            Map<String, Long> badPerTopic = new java.util.TreeMap<>();
            bad.forEach(record -> badPerTopic.merge(record.topic(), 1L, Long::sum));
            Awaitility.await().atMost(WAIT).untilAsserted(() -> badPerTopic.forEach((topic, count) -> {
                double counted = meters.get(io.tideline.core.kafka.DeadLetterMetrics.DEAD_LETTERS).tag("topic", topic).counter().count();
                assertTrue(counted >= count, topic + ": " + counted + " dead letters counted, " + count + " sent");
            }));
            List<DeadLetter> letters = deadLetters(fleet);
            for (String topic : List.of(Topics.TIMELINE, Topics.RESTORE_EVENTS)) {
                assertTrue(letters.stream().anyMatch(d -> d.getTopic().equals(topic)
                        && d.getError().equals("BackupCommand does not belong on " + topic)), topic + ": " + letters);
                assertTrue(letters.stream().anyMatch(d -> d.getTopic().equals(topic)
                        && d.getError().startsWith("a record without a value on " + topic)), topic + ": " + letters);
            }
            String instancesKey = keyOf(Topics.INSTANCES, suffix);
            assertEquals(1, letters.stream().filter(d -> d.getTopic().equals(Topics.INSTANCES) && instancesKey.equals(d.getKey())).count(),
                    "the wrong type on " + Topics.INSTANCES + " is dead-lettered, its tombstone is not");
        }
    }

    private static String keyOf(String topic, String suffix) {
        return "bad-" + topic.substring(topic.indexOf('.') + 1) + "-" + suffix;
    }

    private static KafkaProducer<String, byte[]> rawProducer(Fleet fleet) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, fleet.kafka().bootstrapServers());
        return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    private static List<DeadLetter> deadLetters(Fleet fleet) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, fleet.kafka().bootstrapServers());
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, AvroEventDeserializer.class.getName());
        List<DeadLetter> letters = new ArrayList<>();
        try (KafkaConsumer<String, SpecificRecord> consumer = new KafkaConsumer<>(props)) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.DEAD_LETTERS).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p)) && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> {
                    if (r.value() instanceof DeadLetter d) {
                        letters.add(d);
                    }
                });
            }
        }
        return letters;
    }

    private static RestoreRequested request(String id) {
        return RestoreRequested.newBuilder().setEventId(UUID.randomUUID()).setInstanceId(id).setOccurredAt(Instant.now())
                .setRestoreId(UUID.randomUUID().toString()).setTarget("latest").setRequestedBy("it").build();
    }

    private static BackupCommand command(String id) {
        Instant now = Instant.now();
        return BackupCommand.newBuilder().setEventId(UUID.randomUUID()).setInstanceId(id).setOccurredAt(now)
                .setCommandId(UUID.randomUUID().toString()).setReason(BackupReason.ON_DEMAND).setRequestedBy("it")
                .setRequestedAt(now).build();
    }
}
