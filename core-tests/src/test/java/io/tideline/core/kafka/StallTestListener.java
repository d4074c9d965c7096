package io.tideline.core.kafka;

import io.micronaut.configuration.kafka.annotation.KafkaKey;
import io.micronaut.configuration.kafka.annotation.KafkaListener;
import io.micronaut.configuration.kafka.annotation.OffsetReset;
import io.micronaut.configuration.kafka.annotation.OffsetStrategy;
import io.micronaut.configuration.kafka.annotation.Topic;
import io.micronaut.context.annotation.Requires;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.avro.specific.SpecificRecord;

/** A listener that only counts what it gets; the test pauses its consumer to make the group stall. */
@Requires(property = "spec.name", value = "ConsumerStallIT")
@KafkaListener(groupId = "${spec.group}", clientId = StallTestListener.CLIENT_ID, offsetReset = OffsetReset.EARLIEST,
        offsetStrategy = OffsetStrategy.SYNC)
public class StallTestListener {

    static final String CLIENT_ID = "stall-it";

    private final List<String> keys = new CopyOnWriteArrayList<>();

    @Topic("${spec.topic}")
    void receive(@KafkaKey String instanceId, SpecificRecord event) {
        keys.add(instanceId);
    }

    List<String> keys() {
        return keys;
    }
}
