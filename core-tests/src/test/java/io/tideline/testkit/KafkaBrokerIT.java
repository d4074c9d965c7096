package io.tideline.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tideline.processes.FreePort;
import io.tideline.processes.KafkaBrokerProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(KafkaExtension.class)
class KafkaBrokerIT {

    private static String bootstrapAtBeforeAll;

    private final KafkaBroker broker;

    KafkaBrokerIT(KafkaBroker broker) {
        this.broker = broker;
    }

    @BeforeAll
    static void resolvedInBeforeAll(KafkaBroker broker) {
        bootstrapAtBeforeAll = broker.bootstrapServers();
    }

    @Test
    void aRecordProducedIsConsumed(KafkaBroker inMethod) throws Exception {
        assertEquals(bootstrapAtBeforeAll, inMethod.bootstrapServers(), "one broker per JVM");
        assertEquals(broker.bootstrapServers(), inMethod.bootstrapServers(), "one broker per JVM");
        String topic = "it-" + UUID.randomUUID();
        broker.createTopic(topic);

        produce(broker.bootstrapServers(), topic, "instance-1", "hello");

        List<ConsumerRecord<String, String>> records = consumeAll(broker.bootstrapServers(), topic, 1);
        assertEquals(1, records.size());
        assertEquals("instance-1", records.get(0).key());
        assertEquals("hello", records.get(0).value());
    }

    @Test
    void topicsAreNotCreatedImplicitly() throws Exception {
        try (var admin = broker.adminClient()) {
            String topic = "never-created-" + UUID.randomUUID();
            Properties props = producerProperties(broker.bootstrapServers());
            props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 2_000);
            try (var producer = new KafkaProducer<String, String>(props)) {
                var send = producer.send(new ProducerRecord<>(topic, "k", "v"));
                org.junit.jupiter.api.Assertions.assertThrows(Exception.class, () -> send.get());
            }
            assertFalse(admin.listTopics().names().get().contains(topic));
        }
    }

    @Test
    void restartOnTheSameDirectoryKeepsDataAndAddress() throws Exception {
        String topic = "it-restart-" + UUID.randomUUID();
        broker.createTopic(topic);
        produce(broker.bootstrapServers(), topic, "k", "before restart");
        String before = broker.bootstrapServers();
        int port = Integer.parseInt(before.substring(before.lastIndexOf(':') + 1));

        broker.stop();
        assertFalse(broker.isRunning());
        assertFalse(FreePort.isListening(port), "the broker's port must be closed while it is stopped");

        broker.start();
        assertEquals(before, broker.bootstrapServers());
        List<ConsumerRecord<String, String>> records = consumeAll(broker.bootstrapServers(), topic, 1);
        assertEquals("before restart", records.get(0).value());
    }

    @Test
    void aNewLauncherOnAnOldDirectoryReusesItsPortsAndData(@TempDir Path dir) throws Exception {
        String topic = "it-relaunch";
        String bootstrap;
        try (KafkaBrokerProcess first = startPatientlyIn(dir)) {
            bootstrap = first.bootstrapServers();
            try (var admin = org.apache.kafka.clients.admin.Admin.create(adminProps(bootstrap))) {
                admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic(topic, 1, (short) 1))).all().get();
            }
            produce(bootstrap, topic, "k", "kept");
        }
        try (KafkaBrokerProcess second = startPatientlyIn(dir)) {
            assertEquals(bootstrap, second.bootstrapServers(), "an embedded runtime's `up` must find Kafka where it was");
            assertTrue(second.isRunning());
            assertEquals("kept", consumeAll(bootstrap, topic, 1).get(0).value());
        }
    }

    /**
     * {@link KafkaBrokerProcess#startIn} with a start timeout for a loaded CI machine: a broker restarting on its old
     * directory took longer than the default 90 s there (controller events of 2.5 s each), and this test is about where
     * the broker comes back, not how fast.
     */
    private static KafkaBrokerProcess startPatientlyIn(Path dir) {
        KafkaBrokerProcess broker = new KafkaBrokerProcess(new KafkaBrokerProcess.Settings(dir, 0, 0, java.time.Duration.ofMinutes(4),
                KafkaBrokerProcess.DEFAULT_MAX_HEAP));
        broker.start();
        return broker;
    }

    private static Properties adminProps(String bootstrap) {
        Properties props = new Properties();
        props.put("bootstrap.servers", bootstrap);
        return props;
    }

    private static Properties producerProperties(String bootstrap) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        return props;
    }

    private static void produce(String bootstrap, String topic, String key, String value) throws Exception {
        try (var producer = new KafkaProducer<String, String>(producerProperties(bootstrap))) {
            producer.send(new ProducerRecord<>(topic, key, value)).get();
        }
    }

    private static List<ConsumerRecord<String, String>> consumeAll(String bootstrap, String topic, int expected) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "it-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        try (var consumer = new KafkaConsumer<String, String>(props)) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (records.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(500)).forEach(records::add);
            }
        }
        assertEquals(expected, records.size(), "records consumed from " + topic);
        return records;
    }
}
