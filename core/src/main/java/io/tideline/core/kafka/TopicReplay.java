package io.tideline.core.kafka;

import io.tideline.schemas.serde.EventCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replays topics into a read model: every partition from the beginning, then what is published
 * next, on a thread of its own and with no consumer group (each replica of a service must see every
 * record, whichever partitions its groups own). The read model is the handler: it is called on the
 * replay's thread, one record at a time, in partition order.
 *
 * <p>Values are decoded with the {@link EventCodec}. A record that cannot be decoded, or that the
 * handler throws on, is logged and skipped: a read model never dead-letters (the consumer groups
 * that own the records' processing do) and one bad record must not stop the replay. A handler says
 * a record is not valid with an {@link IllegalArgumentException} (logged without a stack trace);
 * anything else it throws is logged as a failure of the read model. A tombstone is handed over with
 * an empty value.
 *
 * <p>"Caught up" means every partition is read up to the end offsets taken at a given moment:
 * {@link #awaitReplayed} for the moment the replay was assigned its partitions (what was on the
 * topics when it started), {@link #awaitCaughtUp} for the moment of the call (what a caller that is
 * about to decide must have seen). What the handler did for those records is visible to the
 * caller once either says so. Partitions added to a topic after the start are not read.
 */
public final class TopicReplay implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TopicReplay.class);
    private static final Duration POLL = Duration.ofMillis(200);
    private static final Duration PARTITIONS_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration END_OFFSETS_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration CLOSE_CONSUMER = Duration.ofSeconds(2);
    private static final Duration JOIN = Duration.ofSeconds(5);

    /** A decoded record; {@code value} is empty for a tombstone. */
    public record Replayed(String topic, int partition, long offset, String key, Optional<SpecificRecord> value) {
        public Replayed {
            Objects.requireNonNull(topic, "topic");
            Objects.requireNonNull(value, "value");
        }

        public boolean isTombstone() {
            return value.isEmpty();
        }

        /** {@code topic-partition@offset}, for log lines. */
        public String origin() {
            return topic + "-" + partition + "@" + offset;
        }
    }

    /** Whether a catch-up was reached and, if not, why (which partitions are behind, or what failed). */
    public record CatchUp(Optional<String> behind) {
        public CatchUp {
            Objects.requireNonNull(behind, "behind");
        }

        static CatchUp done() {
            return new CatchUp(Optional.empty());
        }

        static CatchUp behind(String why) {
            return new CatchUp(Optional.of(why));
        }

        public boolean isDone() {
            return behind.isEmpty();
        }
    }

    /** End offsets to reach; {@code ends} is null until the replay's thread has read them. */
    private static final class Target {
        final CompletableFuture<Void> reached = new CompletableFuture<>();
        volatile Map<TopicPartition, Long> ends;
    }

    private final List<String> topics;
    private final String name;
    private final EventCodec codec;
    private final Consumer<Replayed> handler;
    private final KafkaConsumer<String, byte[]> consumer;
    private final Thread thread;
    private final CountDownLatch stopping = new CountDownLatch(1);
    private final Map<TopicPartition, Long> positions = new ConcurrentHashMap<>();
    private final Queue<Target> requested = new ConcurrentLinkedQueue<>();
    private final Target initial = new Target();
    /** Targets whose end offsets are read, waiting to be reached; the replay's thread only. */
    private final List<Target> pending = new ArrayList<>();
    private boolean started;
    private boolean closed;
    private volatile boolean finished;
    private volatile String failure;

    /**
     * @param name names the thread and the consumer's client id ({@code tideline-<name>-…}) and prefixes log lines
     */
    public TopicReplay(String bootstrapServers, List<String> topics, String name, EventCodec codec, Consumer<Replayed> handler) {
        this(KafkaConnection.plaintext(bootstrapServers), topics, name, codec, handler);
    }

    /** A replay read as the principal of {@code connection}. */
    public TopicReplay(KafkaConnection connection, List<String> topics, String name, EventCodec codec, Consumer<Replayed> handler) {
        if (topics.isEmpty()) {
            throw new IllegalArgumentException("a replay needs at least one topic");
        }
        this.topics = List.copyOf(topics);
        this.name = Objects.requireNonNull(name, "name");
        this.codec = Objects.requireNonNull(codec, "codec");
        this.handler = Objects.requireNonNull(handler, "handler");
        this.consumer = new KafkaConsumer<>(ReplayConsumers.properties(connection, "tideline-" + name + "-"));
        this.thread = new Thread(this::run, name);
        this.thread.setDaemon(true);
    }

    public synchronized TopicReplay start() {
        if (started || closed) {
            throw new IllegalStateException("replay " + name + " was already " + (closed ? "closed" : "started"));
        }
        started = true;
        thread.start();
        return this;
    }

    /** True once everything that was on the topics when the replay was assigned its partitions has been read. */
    public boolean isReplayed() {
        return initial.reached.isDone() && !initial.reached.isCompletedExceptionally();
    }

    /** Waits for {@link #isReplayed}; false if it did not come within {@code timeout} or the replay stopped. */
    public boolean awaitReplayed(Duration timeout) throws InterruptedException {
        return await(initial, timeout).isDone();
    }

    /**
     * Waits until every partition is read up to its end offset as of this call: whatever was published
     * before the call has then been handled. Answers why not if that did not happen within {@code timeout}.
     * The end offsets are read by the replay's thread (the consumer is not thread-safe) between two
     * polls after the call, so a handler that is slow on a record delays even reading them.
     */
    public CatchUp awaitCaughtUp(Duration timeout) throws InterruptedException {
        Target target = new Target();
        requested.add(target);
        if (finished) {
            // the thread may have drained the queue before this target was in it
            target.reached.completeExceptionally(new IllegalStateException(stoppedReason()));
        }
        return await(target, timeout);
    }

    private CatchUp await(Target target, Duration timeout) throws InterruptedException {
        try {
            target.reached.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return CatchUp.done();
        } catch (ExecutionException e) {
            return CatchUp.behind(e.getCause().getMessage());
        } catch (TimeoutException e) {
            return CatchUp.behind(lag(target, timeout));
        }
    }

    private String lag(Target target, Duration timeout) {
        Map<TopicPartition, Long> ends = target.ends;
        if (ends == null) {
            return "the end offsets of " + String.join(", ", topics) + " could not be read within " + timeout;
        }
        List<String> behind = new ArrayList<>();
        ends.forEach((partition, end) -> {
            long at = positions.getOrDefault(partition, 0L);
            if (at < end) {
                behind.add(partition + " read to " + at + " of " + end);
            }
        });
        return String.join(", ", topics) + " not read up to date within " + timeout + " (" + String.join(", ", behind) + ")";
    }

    private void run() {
        try {
            Optional<List<TopicPartition>> found = awaitPartitions();
            if (found.isEmpty()) {
                return;
            }
            List<TopicPartition> partitions = found.get();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            takeInitialEnds(partitions);
            pending.add(initial);
            while (stopping.getCount() > 0) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(POLL)) {
                    deliver(record);
                }
                for (TopicPartition partition : partitions) {
                    positions.put(partition, consumer.position(partition));
                }
                takeEnds(partitions);
                pending.removeIf(this::reached);
            }
        } catch (WakeupException e) {
            if (stopping.getCount() > 0) {
                failure = "woken up unexpectedly";
            }
        } catch (RuntimeException e) {
            failure = e.toString();
            LOG.error("{} stopped replaying {}: its read model stays as it is until the service restarts", name, topics, e);
        } finally {
            finished = true;
            IllegalStateException stopped = new IllegalStateException(stoppedReason());
            initial.reached.completeExceptionally(stopped);
            pending.forEach(target -> target.reached.completeExceptionally(stopped));
            Target target;
            while ((target = requested.poll()) != null) {
                target.reached.completeExceptionally(stopped);
            }
            consumer.close(CLOSE_CONSUMER);
        }
    }

    /** Reads the end offsets of the initial target and of the callers' new targets, on this (the consumer's) thread. */
    private void takeEnds(List<TopicPartition> partitions) {
        if (initial.ends == null) {
            takeInitialEnds(partitions);
        }
        Target target;
        while ((target = requested.poll()) != null) {
            try {
                target.ends = consumer.endOffsets(partitions, END_OFFSETS_TIMEOUT);
                pending.add(target);
            } catch (org.apache.kafka.common.errors.TimeoutException e) {
                target.reached.completeExceptionally(new IllegalStateException(
                        "the end offsets of " + String.join(", ", topics) + " could not be read: " + e.getMessage(), e));
            }
        }
    }

    /** What "replayed" waits for; tried again at each poll while the broker does not answer. */
    private void takeInitialEnds(List<TopicPartition> partitions) {
        try {
            initial.ends = consumer.endOffsets(partitions, END_OFFSETS_TIMEOUT);
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            LOG.warn("{}: the end offsets of {} could not be read yet: {}", name, topics, e.getMessage());
        }
    }

    /** Completes {@code target} if every partition is read up to its end; true then. */
    private boolean reached(Target target) {
        Map<TopicPartition, Long> ends = target.ends;
        if (ends == null) {
            return false;
        }
        for (Map.Entry<TopicPartition, Long> end : ends.entrySet()) {
            if (positions.getOrDefault(end.getKey(), 0L) < end.getValue()) {
                return false;
            }
        }
        target.reached.complete(null);
        return true;
    }

    private Optional<List<TopicPartition>> awaitPartitions() {
        List<TopicPartition> all = new ArrayList<>();
        for (String topic : topics) {
            while (true) {
                java.util.List<org.apache.kafka.common.PartitionInfo> infos;
                try {
                    infos = consumer.partitionsFor(topic, PARTITIONS_TIMEOUT);
                } catch (org.apache.kafka.common.errors.TimeoutException e) {
                    // A slow broker (or a loaded host) at start-up: ask again, never give the replay up for it.
                    LOG.info("{}: no metadata of {} within {}; asking again", name, topic, PARTITIONS_TIMEOUT);
                    infos = null;
                }
                if (infos != null && !infos.isEmpty()) {
                    infos.forEach(p -> all.add(new TopicPartition(p.topic(), p.partition())));
                    break;
                }
                if (sleepUnlessStopping()) {
                    return Optional.empty();
                }
            }
        }
        return Optional.of(all);
    }

    /** Waits one poll interval; true if the replay is being closed. */
    private boolean sleepUnlessStopping() {
        try {
            return stopping.await(POLL.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        }
    }

    private void deliver(ConsumerRecord<String, byte[]> record) {
        Replayed replayed;
        try {
            Optional<SpecificRecord> value = record.value() == null ? Optional.empty() : Optional.of(codec.decode(record.value()));
            replayed = new Replayed(record.topic(), record.partition(), record.offset(), record.key(), value);
        } catch (RuntimeException e) {
            LOG.warn("{}: skipping {}-{}@{}, it cannot be decoded: {}", name, record.topic(), record.partition(),
                    record.offset(), e.getMessage());
            return;
        }
        try {
            handler.accept(replayed);
        } catch (IllegalArgumentException e) {
            LOG.warn("{}: skipping {}: {}", name, replayed.origin(), e.getMessage());
        } catch (RuntimeException e) {
            LOG.warn("{}: skipping {}, the read model failed on it: {}", name, replayed.origin(), e, e);
        }
    }

    private String stoppedReason() {
        String why = failure;
        return "the replay " + name + " of " + String.join(", ", topics) + (why == null ? " is closed" : " stopped: " + why);
    }

    /** Stops the thread (interrupting a poll) and closes the consumer; waits up to 5 s. Idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            stopping.countDown();
            if (!started) {
                finished = true;
                IllegalStateException never = new IllegalStateException(stoppedReason());
                initial.reached.completeExceptionally(never);
                requested.forEach(target -> target.reached.completeExceptionally(never));
                consumer.close(CLOSE_CONSUMER);
                return;
            }
        }
        consumer.wakeup();
        if (Thread.currentThread() == thread) {
            return;
        }
        try {
            thread.join(JOIN.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
