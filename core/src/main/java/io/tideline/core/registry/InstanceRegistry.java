package io.tideline.core.registry;

import io.tideline.core.ids.InstanceId;
import io.tideline.schemas.InstanceRegistered;
import io.tideline.schemas.serde.EventCodec;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole fleet as the compacted instances topic says it is: every replica of every service
 * reads ALL partitions from the beginning (no consumer group), so any replica can answer
 * "how do I reach instance X" — ownership of work is decided elsewhere, by consumer groups.
 *
 * <p>A record that cannot be decoded is logged and skipped here: the registry is a read model, and
 * the dead-letter topic is fed by the group consumers that own the records' processing.
 */
public final class InstanceRegistry implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(InstanceRegistry.class);
    private static final Duration POLL = Duration.ofMillis(250);

    private final String topic;
    private final KafkaConsumer<String, byte[]> consumer;
    private final EventCodec codec;
    private final Map<InstanceId, RegisteredInstance> instances = new ConcurrentHashMap<>();
    private final List<Consumer<Change>> listeners = new CopyOnWriteArrayList<>();
    private final CountDownLatch caughtUp = new CountDownLatch(1);
    private final Thread thread;
    private volatile boolean running = true;

    /** An instance registered (or re-registered) or removed. {@code instance} is empty on removal. */
    public record Change(InstanceId id, Optional<RegisteredInstance> instance) {
    }

    public InstanceRegistry(String bootstrapServers, String topic, EventCodec codec) {
        this.topic = topic;
        this.codec = codec;
        this.consumer = new KafkaConsumer<>(io.tideline.core.kafka.ReplayConsumers.properties(bootstrapServers, "tideline-registry-"));
        this.thread = new Thread(this::run, "instance-registry");
        this.thread.setDaemon(true);
    }

    public InstanceRegistry start() {
        thread.start();
        return this;
    }

    /** Adds a listener for changes read after this call; existing instances are replayed to it first. */
    public void onChange(Consumer<Change> listener) {
        instances.values().forEach(i -> listener.accept(new Change(i.id(), Optional.of(i))));
        listeners.add(listener);
    }

    public Optional<RegisteredInstance> find(InstanceId id) {
        return Optional.ofNullable(instances.get(id));
    }

    public Optional<RegisteredInstance> findByName(String name) {
        return instances.values().stream().filter(i -> i.name().equals(name)).findFirst();
    }

    public Collection<RegisteredInstance> all() {
        return List.copyOf(instances.values());
    }

    /** True once everything that was on the topic when the registry started has been read. */
    public boolean isCaughtUp() {
        return caughtUp.getCount() == 0;
    }

    public boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
        return caughtUp.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void run() {
        try {
            List<TopicPartition> partitions = awaitPartitions();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (running) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(POLL)) {
                    apply(record);
                }
                if (caughtUp.getCount() > 0
                        && end.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue())) {
                    caughtUp.countDown();
                }
            }
        } catch (WakeupException e) {
            // close() asked us to stop
        } catch (RuntimeException e) {
            LOG.error("instance registry stopped reading {}", topic, e);
        } finally {
            consumer.close(Duration.ofSeconds(2));
        }
    }

    private List<TopicPartition> awaitPartitions() {
        while (running) {
            var infos = consumer.partitionsFor(topic, Duration.ofSeconds(5));
            if (infos != null && !infos.isEmpty()) {
                return infos.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            }
            sleepQuietly();
        }
        throw new WakeupException();
    }

    private static void sleepQuietly() {
        try {
            Thread.sleep(POLL.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WakeupException();
        }
    }

    private void apply(ConsumerRecord<String, byte[]> record) {
        if (record.key() == null) {
            LOG.warn("skipping {}-{}@{}: no key", record.topic(), record.partition(), record.offset());
            return;
        }
        InstanceId id;
        try {
            id = InstanceId.of(record.key());
        } catch (IllegalArgumentException e) {
            LOG.warn("skipping {}-{}@{}: {}", record.topic(), record.partition(), record.offset(), e.getMessage());
            return;
        }
        Change change;
        if (record.value() == null) {
            instances.remove(id);
            change = new Change(id, Optional.empty());
        } else {
            try {
                RegisteredInstance instance = RegisteredInstance.from(codec.decode(record.value(), InstanceRegistered.class));
                instances.put(id, instance);
                change = new Change(id, Optional.of(instance));
            } catch (RuntimeException e) {
                LOG.warn("skipping {}-{}@{}: {}", record.topic(), record.partition(), record.offset(), e.getMessage());
                return;
            }
        }
        for (Consumer<Change> listener : listeners) {
            try {
                listener.accept(change);
            } catch (RuntimeException e) {
                LOG.error("registry listener failed on {}", change.id(), e);
            }
        }
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
