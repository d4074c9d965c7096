package io.tideline.core.kafka;

import java.util.Map;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.NewTopic;

/** A topic as Tideline wants it: name, partitions, replication and topic-level configs. */
public record TopicSpec(String name, int partitions, short replicationFactor, Map<String, String> configs) {

    private static final Pattern LEGAL_NAME = Pattern.compile("[a-zA-Z0-9._-]{1,249}");

    public TopicSpec {
        if (name == null || !LEGAL_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("not a legal Kafka topic name: '" + name + "'");
        }
        if (partitions < 1 || replicationFactor < 1) {
            throw new IllegalArgumentException("topic " + name + ": partitions and replication factor must be >= 1");
        }
        configs = Map.copyOf(configs);
    }

    public NewTopic toNewTopic() {
        return new NewTopic(name, partitions, replicationFactor).configs(configs);
    }
}
