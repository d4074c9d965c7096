package io.tideline.core.kafka;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micronaut.configuration.kafka.ConsumerRegistry;
import io.micronaut.context.ApplicationContext;
import io.tideline.schemas.BackupCommand;
import io.tideline.schemas.BackupReason;
import io.tideline.schemas.serde.EventCodec;
import io.tideline.testkit.KafkaBroker;
import io.tideline.testkit.KafkaExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 17: a consumer that has records and does not consume them turns {@code kafka-consumers} DOWN,
 * with group, partition, committed and end offset; once it catches up, UP again. The consumer is
 * stopped by pausing it, which, like a poll loop that ended, leaves the group's offset where it was.
 */
@ExtendWith(KafkaExtension.class)
class ConsumerStallIT {

    private static final Duration WAIT = Duration.ofSeconds(60);

    private final KafkaBroker broker;
    private final EventCodec codec = EventCodec.standard();
    private final String topic = "it-stall-" + UUID.randomUUID();
    private final String group = "it-stall-group-" + UUID.randomUUID();
    private ApplicationContext context;

    ConsumerStallIT(KafkaBroker broker) {
        this.broker = broker;
    }

    @BeforeEach
    void startService() {
        broker.createTopic(topic);
        context = ApplicationContext.run(Map.of(
                "kafka.bootstrap.servers", broker.bootstrapServers(),
                "spec.name", "ConsumerStallIT",
                "spec.topic", topic,
                "spec.group", group,
                ConsumerHealthSettings.PREFIX + ".stall-after", "3s",
                ConsumerHealthSettings.PREFIX + ".check-every", "500ms"));
    }

    @AfterEach
    void stopService() {
        if (context != null) {
            context.close();
        }
    }

    @Test
    void lagThatDoesNotMoveIsDownWithTheReasonAndCatchingUpIsUpAgain() throws Exception {
        assertTrue(context.getBean(ListenerGroups.class).groups().contains(group), "the group is found from the listener");
        StallTestListener listener = context.getBean(StallTestListener.class);
        ConsumerProgress progress = context.getBean(ConsumerProgress.class);
        ConsumerStallMonitor monitor = context.getBean(ConsumerStallMonitor.class);
        send("pg-0");
        await().atMost(WAIT).until(() -> listener.keys().contains("pg-0"));
        await().atMost(WAIT).until(() -> monitor.last().isPresent() && !report(progress, monitor).down());

        ConsumerRegistry registry = context.getBean(ConsumerRegistry.class);
        registry.pause(StallTestListener.CLIENT_ID);
        await().atMost(WAIT).until(() -> registry.isPaused(StallTestListener.CLIENT_ID));
        for (int i = 1; i <= 3; i++) {
            send("pg-" + i);
        }

        await().atMost(WAIT).until(() -> report(progress, monitor).down());
        Map<String, String> details = report(progress, monitor).details();
        String reason = details.get(group + " " + topic + "-0");
        assertTrue(reason != null, "details: " + details);
        assertTrue(reason.contains("committed offset 1, end offset 4: 3 records not consumed"), reason);
        assertTrue(reason.startsWith("no progress since 20"), reason);
        assertEquals(1, listener.keys().size(), "the paused consumer got nothing");

        registry.resume(StallTestListener.CLIENT_ID);
        await().atMost(WAIT).until(() -> listener.keys().size() == 4);
        await().atMost(WAIT).until(() -> !report(progress, monitor).down());
    }

    /** What {@code /health}'s {@code kafka-consumers} says (core's ITs run without the management module). */
    private static ConsumerHealthReport report(ConsumerProgress progress, ConsumerStallMonitor monitor) {
        return ConsumerHealthReport.of(progress.held(), monitor.last());
    }

    private void send(String key) throws Exception {
        Instant now = Instant.now();
        BackupCommand command = BackupCommand.newBuilder().setEventId(UUID.randomUUID()).setInstanceId(key).setOccurredAt(now)
                .setCommandId(UUID.randomUUID().toString()).setReason(BackupReason.ON_DEMAND).setRequestedBy("it")
                .setRequestedAt(now).build();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(broker.clientProperties(), new StringSerializer(),
                new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topic, key, codec.encode(command))).get();
        }
    }
}
