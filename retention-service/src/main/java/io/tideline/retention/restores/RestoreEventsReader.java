package io.tideline.retention.restores;

import io.tideline.core.ids.InstanceId;
import io.tideline.retention.RestoreClaim;
import io.tideline.schemas.serde.EventCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps {@link RunningRestores} up to date from {@code tideline.restore-events}: every partition from
 * the beginning, on its own thread, with no consumer group (every retention replica must know every
 * running restore, whichever instances it owns). A run asks {@link #claimsUpToDate} before deciding:
 * the claims it gets include every event that was on the topic when it asked, or it is told why not —
 * a restore accepted a moment ago must not lose its backup because its event was still unread.
 *
 * <p>A record that cannot be decoded is logged and skipped: this is a read model; the dead-letter topic
 * is fed by the consumers that own the records' processing.
 */
public final class RestoreEventsReader implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RestoreEventsReader.class);
    private static final Duration POLL = Duration.ofMillis(200);

    private final String topic;
    private final EventCodec codec;
    private final RunningRestores restores;
    private final KafkaConsumer<String, byte[]> consumer;
    private final Map<TopicPartition, Long> positions = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<CompletableFuture<Map<TopicPartition, Long>>> endRequests = new ConcurrentLinkedQueue<>();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile String failure;

    public RestoreEventsReader(String bootstrapServers, String topic, EventCodec codec, RunningRestores restores) {
        this.topic = topic;
        this.codec = codec;
        this.restores = restores;
        this.consumer = new KafkaConsumer<>(io.tideline.core.kafka.ReplayConsumers.properties(bootstrapServers, "tideline-retention-restores-"));
        this.thread = new Thread(this::run, "retention-restore-events");
        this.thread.setDaemon(true);
    }

    public RestoreEventsReader start() {
        thread.start();
        return this;
    }

    /**
     * The running restores of {@code source}, read at least up to the topic's end as of this call, or
     * why that could not be established within {@code timeout}.
     */
    public Claims claimsUpToDate(InstanceId source, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        if (failure != null) {
            return Claims.unknown("the restore events reader stopped: " + failure);
        }
        CompletableFuture<Map<TopicPartition, Long>> request = new CompletableFuture<>();
        endRequests.add(request);
        Map<TopicPartition, Long> ends;
        try {
            ends = request.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return Claims.unknown("the end of " + topic + " could not be read within " + timeout);
        } catch (ExecutionException e) {
            return Claims.unknown("the end of " + topic + " could not be read: " + e.getCause().getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Claims.unknown("interrupted while reading " + topic);
        }
        while (true) {
            List<String> behind = new ArrayList<>();
            ends.forEach((tp, end) -> {
                long at = positions.getOrDefault(tp, 0L);
                if (at < end) {
                    behind.add(tp + " read to " + at + " of " + end);
                }
            });
            if (behind.isEmpty()) {
                return new Claims(restores.claims(source), Optional.empty());
            }
            if (System.nanoTime() > deadline) {
                return Claims.unknown(topic + " is not read up to date (" + String.join(", ", behind) + ")");
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Claims.unknown("interrupted while reading " + topic);
            }
        }
    }

    /** The claims, or why they may be incomplete. */
    public record Claims(List<RestoreClaim> claims, Optional<String> incomplete) {
        public Claims {
            claims = List.copyOf(claims);
        }

        static Claims unknown(String why) {
            return new Claims(List.of(), Optional.of(why));
        }
    }

    private void run() {
        try {
            List<TopicPartition> partitions = awaitPartitions();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (running) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(POLL)) {
                    apply(record);
                }
                for (TopicPartition tp : partitions) {
                    positions.put(tp, consumer.position(tp));
                }
                CompletableFuture<Map<TopicPartition, Long>> request;
                while ((request = endRequests.poll()) != null) {
                    try {
                        request.complete(consumer.endOffsets(partitions, Duration.ofSeconds(10)));
                    } catch (RuntimeException e) {
                        request.completeExceptionally(e);
                    }
                }
            }
        } catch (WakeupException e) {
            // close() asked us to stop
        } catch (RuntimeException e) {
            failure = e.toString();
            LOG.error("retention stopped reading {}: runs will wait until the service restarts", topic, e);
        } finally {
            CompletableFuture<Map<TopicPartition, Long>> request;
            while ((request = endRequests.poll()) != null) {
                request.completeExceptionally(new IllegalStateException("reader closed"));
            }
            consumer.close(Duration.ofSeconds(2));
        }
    }

    private List<TopicPartition> awaitPartitions() {
        while (running) {
            var infos = consumer.partitionsFor(topic, Duration.ofSeconds(5));
            if (infos != null && !infos.isEmpty()) {
                return infos.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            }
            try {
                Thread.sleep(POLL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new WakeupException();
            }
        }
        throw new WakeupException();
    }

    private void apply(ConsumerRecord<String, byte[]> record) {
        if (record.value() == null) {
            return;
        }
        try {
            if (restores.apply(codec.decode(record.value()))) {
                LOG.info("running restores changed at {}-{}@{} (instance {})", record.topic(), record.partition(),
                        record.offset(), record.key());
            }
        } catch (RuntimeException e) {
            LOG.warn("skipping {}-{}@{}: {}", record.topic(), record.partition(), record.offset(), e.getMessage());
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
