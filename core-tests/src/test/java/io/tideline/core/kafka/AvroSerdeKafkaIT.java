package io.tideline.core.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tideline.schemas.BackupCompleted;
import io.tideline.schemas.BackupStarted;
import io.tideline.schemas.InstanceRegistered;
import io.tideline.schemas.WalSegmentStored;
import io.tideline.schemas.serde.AvroEventDeserializer;
import io.tideline.schemas.serde.EventCodec;
import io.tideline.testkit.KafkaBroker;
import io.tideline.testkit.KafkaExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(KafkaExtension.class)
class AvroSerdeKafkaIT {

    private static final Instant T0 = Instant.parse("2026-11-05T10:15:30.123Z");

    private final KafkaBroker broker;

    AvroSerdeKafkaIT(KafkaBroker broker) {
        this.broker = broker;
    }

    @Test
    void severalEventTypesOnOneTopicEachDecodeToTheirClass() throws Exception {
        String topic = "it-timeline-" + UUID.randomUUID();
        broker.createTopic(topic);
        List<SpecificRecord> sent = List.of(started(), segment(), completed());

        try (EventPublisher publisher = new EventPublisher(broker.bootstrapServers(), EventCodec.standard())) {
            for (SpecificRecord event : sent) {
                RecordMetadata metadata = publisher.publishAndWait(topic, "pg-1", event);
                assertEquals(topic, metadata.topic());
            }
        }

        // a plain consumer configured by class name, as any non-Micronaut client would be
        List<ConsumerRecord<String, SpecificRecord>> received = consume(topic, sent.size());
        assertEquals(sent.size(), received.size());
        for (int i = 0; i < sent.size(); i++) {
            assertEquals("pg-1", received.get(i).key());
            assertEquals(sent.get(i).getClass(), received.get(i).value().getClass());
            assertEquals(sent.get(i), received.get(i).value());
        }
    }

    @Test
    void aTombstoneArrivesAsANullValue() throws Exception {
        String topic = "it-instances-" + UUID.randomUUID();
        broker.createTopic(topic);
        InstanceRegistered registered = registered();

        try (EventPublisher publisher = new EventPublisher(broker.bootstrapServers(), EventCodec.standard())) {
            publisher.publishAndWait(topic, "pg-1", registered);
            publisher.tombstoneAndWait(topic, "pg-1");
        }

        List<ConsumerRecord<String, SpecificRecord>> received = consume(topic, 2);
        assertEquals(registered, received.get(0).value());
        assertEquals("pg-1", received.get(1).key());
        assertNull(received.get(1).value());
    }

    private List<ConsumerRecord<String, SpecificRecord>> consume(String topic, int count) {
        Properties properties = broker.clientProperties();
        properties.put(ConsumerConfig.GROUP_ID_CONFIG, "it-" + UUID.randomUUID());
        properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        properties.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        properties.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, AvroEventDeserializer.class.getName());
        List<ConsumerRecord<String, SpecificRecord>> records = new ArrayList<>();
        try (KafkaConsumer<String, SpecificRecord> consumer = new KafkaConsumer<>(properties)) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (records.size() < count && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        assertTrue(records.size() >= count, "received " + records.size() + " of " + count);
        return records;
    }

    private static BackupStarted started() {
        return BackupStarted.newBuilder().setEventId(UUID.randomUUID()).setInstanceId("pg-1").setOccurredAt(T0)
                .setBackupId("b-1").setCommandId("daily:pg-1:2026-11-05").setTimeline(1).setStartLsn("0/3000028")
                .setStartedAt(T0).build();
    }

    private static WalSegmentStored segment() {
        return WalSegmentStored.newBuilder().setEventId(UUID.randomUUID()).setInstanceId("pg-1").setOccurredAt(T0)
                .setTimeline(1).setSegment("000000010000000000000003").setStartLsn("0/3000000").setEndLsn("0/4000000")
                .setBytes(16L << 20).setStoredBytes(1000).setSha256("ab".repeat(32))
                .setObjectKey("wal/00000001/000000010000000000000003.zst").setStoredAt(T0).setPartial(false).build();
    }

    private static BackupCompleted completed() {
        return BackupCompleted.newBuilder().setEventId(UUID.randomUUID()).setInstanceId("pg-1").setOccurredAt(T0)
                .setBackupId("b-1").setCommandId("daily:pg-1:2026-11-05").setTimeline(1).setStartLsn("0/3000028")
                .setEndLsn("0/3000138").setStartedAt(T0).setFinishedAt(T0.plusSeconds(5)).setBytesRaw(100)
                .setBytesStored(10).setManifestKey("basebackups/b-1/manifest.json").build();
    }

    private static InstanceRegistered registered() {
        return InstanceRegistered.newBuilder().setEventId(UUID.randomUUID()).setInstanceId("pg-1").setOccurredAt(T0)
                .setName("orders").setHost("127.0.0.1").setPort(5432).setDatabase("postgres")
                .setSuperuser("postgres").setSuperuserSecretRef("instances/pg-1/postgres")
                .setReplicationUser("replicator").setReplicationSecretRef("instances/pg-1/replication")
                .setBucket("tideline-pg-1").setS3AccessKeyRef("instances/pg-1/s3-access-key")
                .setS3SecretKeyRef("instances/pg-1/s3-secret-key").setPostgresVersion(15)
                .setWalSegmentSize(16L << 20).setRegisteredAt(T0).build();
    }
}
