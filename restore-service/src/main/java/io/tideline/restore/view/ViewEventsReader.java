package io.tideline.restore.view;

import io.tideline.schemas.serde.EventCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds {@link ViewEvents} from the topics it summarises, every partition from the beginning, on its own
 * thread and without a consumer group: each replica serving the view must know every restore. Records it
 * cannot decode are logged and skipped (a read model never dead-letters; the owning consumers do).
 */
public final class ViewEventsReader implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ViewEventsReader.class);
    private static final Duration POLL = Duration.ofMillis(200);

    private final List<String> topics;
    private final EventCodec codec;
    private final ViewEvents events;
    private final KafkaConsumer<String, byte[]> consumer;
    private final Thread thread;
    private volatile boolean running = true;

    public ViewEventsReader(String bootstrapServers, List<String> topics, EventCodec codec, ViewEvents events) {
        this.topics = List.copyOf(topics);
        this.codec = codec;
        this.events = events;
        this.consumer = new KafkaConsumer<>(io.tideline.core.kafka.ReplayConsumers.properties(bootstrapServers, "tideline-backups-view-"));
        this.thread = new Thread(this::run, "backups-view-events");
        this.thread.setDaemon(true);
    }

    public ViewEventsReader start() {
        thread.start();
        return this;
    }

    private void run() {
        try {
            List<TopicPartition> partitions = awaitPartitions();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (running) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(POLL)) {
                    if (record.value() == null) {
                        continue;
                    }
                    try {
                        events.apply(codec.decode(record.value()));
                    } catch (RuntimeException e) {
                        LOG.warn("skipping {}-{}@{}: {}", record.topic(), record.partition(), record.offset(), e.getMessage());
                    }
                }
            }
        } catch (WakeupException e) {
            // close() asked us to stop
        } catch (RuntimeException e) {
            LOG.error("the Backups view stopped reading {}", topics, e);
        } finally {
            consumer.close(Duration.ofSeconds(2));
        }
    }

    private List<TopicPartition> awaitPartitions() {
        List<TopicPartition> all = new ArrayList<>();
        for (String topic : topics) {
            while (running) {
                var infos = consumer.partitionsFor(topic, Duration.ofSeconds(5));
                if (infos != null && !infos.isEmpty()) {
                    infos.forEach(p -> all.add(new TopicPartition(p.topic(), p.partition())));
                    break;
                }
                try {
                    Thread.sleep(POLL.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new WakeupException();
                }
            }
        }
        if (!running) {
            throw new WakeupException();
        }
        return all;
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
