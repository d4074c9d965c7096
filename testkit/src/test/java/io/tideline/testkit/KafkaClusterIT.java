package io.tideline.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fixture itself: three combined nodes (a three-voter quorum) survive the {@code kill -9} of
 * the node that leads the partition, the node comes back on its own ports, and closing leaves no
 * process. Tideline's own use of a cluster is tested in integration-tests (KafkaClusterProfileIT).
 */
class KafkaClusterIT {

    @Test
    void aClusterLosesANodeAndGetsItBack(@TempDir Path dir) throws Exception {
        List<ProcessHandle> started = new ArrayList<>();
        try (KafkaCluster cluster = KafkaCluster.start(dir, 3)) {
            assertEquals(List.of(1, 2, 3), cluster.brokerIds());
            cluster.nodeIds().forEach(id -> started.add(cluster.processHandle(id).orElseThrow()));
            String topic = "cluster-smoke";
            try (Admin admin = cluster.adminClient()) {
                admin.createTopics(List.of(new NewTopic(topic, 1, (short) 3).configs(Map.of("min.insync.replicas", "2"))))
                        .all().get(60, TimeUnit.SECONDS);
                int leader = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS)
                        .get(topic).partitions().get(0).leader().id();
                try (KafkaProducer<String, String> producer = producer(cluster)) {
                    producer.send(new ProducerRecord<>(topic, "k", "before")).get(60, TimeUnit.SECONDS);

                    cluster.kill(leader);
                    assertFalse(cluster.isRunning(leader));

                    // acks=all with min.insync 2: acknowledged by the two survivors once a new leader is elected
                    producer.send(new ProducerRecord<>(topic, "k", "after")).get(90, TimeUnit.SECONDS);
                }
                assertEquals(List.of("before", "after"), consume(cluster, topic, 2));

                cluster.start(leader);
                assertTrue(cluster.isRunning(leader));
                assertEquals(3, admin.describeCluster().nodes().get(30, TimeUnit.SECONDS).size(),
                        "the restarted node registers again");
            }
        }
        for (ProcessHandle handle : started) {
            assertFalse(handle.isAlive(), "node process " + handle.pid() + " left behind");
        }
    }

    private static KafkaProducer<String, String> producer(KafkaCluster cluster) {
        Properties properties = cluster.clientProperties();
        properties.put(ProducerConfig.ACKS_CONFIG, "all");
        properties.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        properties.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 90_000);
        return new KafkaProducer<>(properties, new StringSerializer(), new StringSerializer());
    }

    private static List<String> consume(KafkaCluster cluster, String topic, int count) {
        Properties properties = cluster.clientProperties();
        properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(properties, new StringDeserializer(), new StringDeserializer())) {
            consumer.assign(List.of(new TopicPartition(topic, 0)));
            consumer.seekToBeginning(consumer.assignment());
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (values.size() < count && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                    values.add(record.value());
                }
            }
        }
        return values;
    }
}
