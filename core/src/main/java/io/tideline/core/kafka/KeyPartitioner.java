package io.tideline.core.kafka;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import org.apache.kafka.common.utils.Utils;

/**
 * The partition Kafka's producer gives a record with a String key when no partitioner is configured
 * (murmur2 of the key's UTF-8 bytes, made positive, modulo the partition count). Every event of an
 * instance is keyed by its id, so this is how a replica that was assigned partitions knows which
 * instances (or restore sources) are its own. The one place Tideline computes it; checked against
 * the producer's own choice in {@code KeyPartitionerTest}.
 */
public final class KeyPartitioner {

    private KeyPartitioner() {
    }

    /** @throws IllegalArgumentException if {@code partitionCount} is below 1 */
    public static int partitionOf(String key, int partitionCount) {
        Objects.requireNonNull(key, "key");
        if (partitionCount < 1) {
            throw new IllegalArgumentException("a topic has at least one partition, not " + partitionCount);
        }
        return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitionCount;
    }
}
