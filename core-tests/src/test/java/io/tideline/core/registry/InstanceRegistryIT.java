package io.tideline.core.registry;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tideline.core.ids.InstanceId;
import io.tideline.schemas.InstanceRegistered;
import io.tideline.schemas.serde.EventCodec;
import io.tideline.testkit.KafkaBroker;
import io.tideline.testkit.KafkaExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The fleet registry every service reads, against a real broker. */
@ExtendWith(KafkaExtension.class)
class InstanceRegistryIT {

    private final KafkaBroker broker;
    private final EventCodec codec = EventCodec.standard();
    private final String topic = "it-instances-" + UUID.randomUUID();

    InstanceRegistryIT(KafkaBroker broker) {
        this.broker = broker;
    }

    /**
     * Issue 17's soak: a registration of instance B under the key of A was filed under A (so the
     * scheduler planned daily backups of B, and a tombstone for B could never remove it) while the
     * archiver refused the same record.
     */
    @Test
    void aRegistrationUnderAnotherInstancesKeyIsSkipped() throws Exception {
        broker.createTopic(topic, 1, Map.of("cleanup.policy", "compact"));
        send("pg-a", registration("pg-b"));
        send("pg-c", registration("pg-c"));

        try (InstanceRegistry registry = new InstanceRegistry(broker.bootstrapServers(), topic, codec).start()) {
            List<InstanceRegistry.Change> changes = new CopyOnWriteArrayList<>();
            registry.onChange(changes::add);
            assertTrue(registry.awaitCaughtUp(Duration.ofSeconds(60)), "the registry read the topic");
            await().atMost(Duration.ofSeconds(30)).until(() -> registry.find(InstanceId.of("pg-c")).isPresent());

            assertTrue(registry.find(InstanceId.of("pg-a")).isEmpty(), "not filed under the key");
            assertTrue(registry.find(InstanceId.of("pg-b")).isEmpty(), "nor under the id it claims");
            assertEquals(List.of(InstanceId.of("pg-c")), registry.all().stream().map(RegisteredInstance::id).toList());
            assertEquals(List.of(InstanceId.of("pg-c")), changes.stream().map(InstanceRegistry.Change::id).toList(),
                    "no listener heard of it");
        }
    }

    private void send(String key, InstanceRegistered registration) throws Exception {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(broker.clientProperties(), new StringSerializer(),
                new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topic, key, codec.encode(registration))).get();
        }
    }

    private static InstanceRegistered registration(String id) {
        Instant now = Instant.now();
        return InstanceRegistered.newBuilder()
                .setEventId(UUID.randomUUID()).setInstanceId(id).setOccurredAt(now)
                .setName(id).setHost("127.0.0.1").setPort(54321).setDatabase("postgres")
                .setSuperuser("postgres").setSuperuserSecretRef("instances/" + id + "/postgres")
                .setReplicationUser("tideline_replication").setReplicationSecretRef("instances/" + id + "/replication")
                .setBucket("tideline-" + id).setS3AccessKeyRef("instances/" + id + "/s3-access-key")
                .setS3SecretKeyRef("instances/" + id + "/s3-secret-key")
                .setPostgresVersion(15).setWalSegmentSize(16L * 1024 * 1024)
                .setBackupWindowStartMinuteUtc(120).setRetentionDays(null).setRestoredFrom(null)
                .setRegisteredAt(now)
                .build();
    }
}
