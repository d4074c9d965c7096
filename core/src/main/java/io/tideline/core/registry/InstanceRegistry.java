package io.tideline.core.registry;

import io.tideline.core.ids.InstanceId;
import io.tideline.core.kafka.TopicReplay;
import io.tideline.schemas.InstanceRegistered;
import io.tideline.schemas.serde.EventCodec;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole fleet as the compacted instances topic says it is: every replica of every service
 * reads ALL partitions from the beginning (no consumer group, a {@link TopicReplay}), so any replica
 * can answer "how do I reach instance X" — ownership of work is decided elsewhere, by consumer groups.
 *
 * <p>A record that cannot be decoded or is not a valid registration is logged and skipped here: the
 * registry is a read model, and the dead-letter topic is fed by the group consumers that own the
 * records' processing.
 */
public final class InstanceRegistry implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(InstanceRegistry.class);

    private final Map<InstanceId, RegisteredInstance> instances = new ConcurrentHashMap<>();
    private final List<Consumer<Change>> listeners = new CopyOnWriteArrayList<>();
    private final TopicReplay replay;

    /** An instance registered (or re-registered) or removed. {@code instance} is empty on removal. */
    public record Change(InstanceId id, Optional<RegisteredInstance> instance) {
    }

    public InstanceRegistry(String bootstrapServers, String topic, EventCodec codec) {
        this(io.tideline.core.kafka.KafkaConnection.plaintext(bootstrapServers), topic, codec);
    }

    /** A registry read as the principal of {@code connection}. */
    public InstanceRegistry(io.tideline.core.kafka.KafkaConnection connection, String topic, EventCodec codec) {
        this.replay = new TopicReplay(connection, List.of(topic), "instance-registry", codec, this::apply);
    }

    public InstanceRegistry start() {
        replay.start();
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
        return replay.isReplayed();
    }

    public boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
        return replay.awaitReplayed(timeout);
    }

    private void apply(TopicReplay.Replayed record) {
        if (record.key() == null) {
            throw new IllegalArgumentException("no key");
        }
        InstanceId id = InstanceId.of(record.key());
        Change change;
        if (record.isTombstone()) {
            instances.remove(id);
            change = new Change(id, Optional.empty());
        } else {
            if (!(record.value().get() instanceof InstanceRegistered registered)) {
                throw new IllegalArgumentException("expected InstanceRegistered, got " + record.value().get().getSchema().getName());
            }
            // The key is what compaction and a later tombstone go by: a registration under another
            // instance's key would be filed under one id and describe another (the archiver refuses it too).
            if (!id.value().equals(registered.getInstanceId())) {
                throw new IllegalArgumentException("record key " + id + " differs from the registration's instance id "
                        + registered.getInstanceId());
            }
            RegisteredInstance instance = RegisteredInstance.from(registered);
            instances.put(id, instance);
            change = new Change(id, Optional.of(instance));
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
        replay.close();
    }
}
