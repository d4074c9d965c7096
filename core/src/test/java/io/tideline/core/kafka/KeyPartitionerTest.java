package io.tideline.core.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class KeyPartitionerTest {

    private static final String TOPIC = "t";
    /** Instance ids and restore ids as they come: short, long, dashes, a UUID, non-ASCII for the UTF-8 rule. */
    private static final List<String> KEYS = keys();

    @Test
    void agreesWithTheProducersOwnChoice() throws ExecutionException, InterruptedException {
        for (int partitions = 1; partitions <= 12; partitions++) {
            try (MockProducer<String, String> producer = new MockProducer<>(cluster(partitions), true,
                    new StringSerializer(), new StringSerializer())) {
                for (String key : KEYS) {
                    int chosen = producer.send(new ProducerRecord<>(TOPIC, key, "v")).get().partition();
                    assertEquals(chosen, KeyPartitioner.partitionOf(key, partitions), key + " over " + partitions);
                    // What KafkaProducer itself calls for a keyed record when no partitioner is configured.
                    assertEquals(BuiltInPartitioner.partitionForKey(new StringSerializer().serialize(TOPIC, key), partitions),
                            KeyPartitioner.partitionOf(key, partitions), key + " over " + partitions);
                }
            }
        }
    }

    @Test
    void aTopicWithoutPartitionsHasNoPartitionForAKey() {
        assertThrows(IllegalArgumentException.class, () -> KeyPartitioner.partitionOf("pg-1", 0));
    }

    private static Cluster cluster(int partitions) {
        Node node = new Node(0, "localhost", 9092);
        List<PartitionInfo> infos = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            infos.add(new PartitionInfo(TOPIC, p, node, new Node[] {node}, new Node[] {node}));
        }
        return new Cluster("c", List.of(node), infos, Set.of(), Set.of());
    }

    private static List<String> keys() {
        List<String> keys = new ArrayList<>(List.of("pg-1", "orders-db", "a", "zz-db-with-a-rather-long-name-0123456789",
                "3f9a2c1e-0b4d-4e5f-8a9b-0c1d2e3f4a5b", "dépôt"));
        for (int i = 0; i < 200; i++) {
            keys.add("instance-" + i);
        }
        return keys;
    }
}
