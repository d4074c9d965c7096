package io.tideline.archiver.basebackup;

import io.tideline.core.kafka.InvalidRecordException;
import io.tideline.core.kafka.Topics;
import io.tideline.core.registry.InstanceRegistry;
import io.tideline.schemas.BackupCommand;
import io.tideline.schemas.serde.EventCodec;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes {@code tideline.backup-commands} (group {@value BackupSettings#GROUP_ID}) and hands each
 * valid command to the {@link BackupPool}; its thread only decodes, validates, commits and polls, so a
 * long backup never holds the commands behind it (issue 18; before, each backup ran on this thread).
 *
 * <p>Not a {@code @KafkaListener}: micronaut-kafka commits a record when its listener method returns and
 * calls the listener only when records arrive, while here a command may be committed only once its
 * backup ended, which is usually long after, between two polls. The rules:
 * <ul>
 *   <li><b>Commit.</b> After every poll, each partition is committed up to its oldest command whose
 *       handling has not ended ({@link CommandOffsets}). A replica that dies leaves its queued and running
 *       commands uncommitted: the next owner takes the queued ones and fails the running ones as
 *       interrupted ({@link BaseBackups}). No requested backup is lost.</li>
 *   <li><b>Keep a partition while backing it up.</b> A partition being revoked first loses its queued
 *       commands (uncommitted: the new owner takes them), then the consumer waits until its running
 *       backups end before letting it go, so another replica never fails a backup that is still being
 *       taken. A cooperative rebalance only waits for this member's revoked partitions.</li>
 *   <li><b>Bounded memory.</b> With {@code max-queued} commands waiting, the consumer pauses its
 *       partitions (still polling, so it stays in the group) until the queue shrinks.</li>
 *   <li><b>Bad records.</b> Undecodable, not a command, or malformed: dead-lettered at once, as core's
 *       handler does for the listeners.</li>
 * </ul>
 */
final class BackupCommandConsumer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(BackupCommandConsumer.class);
    /**
     * Six hours: a rebalance that revokes a partition waits for its running backups (WAL wait included);
     * longer than this and the member is dropped, and its partitions' backups failed as interrupted.
     */
    static final String MAX_BACKUP_MILLIS = "21600000";
    /** Records per poll: small, so a full queue overshoots max-queued by little. */
    static final String MAX_POLL_RECORDS = "10";

    private final Map<String, Object> kafkaProperties;
    private final BackupPoolSettings settings;
    private final EventCodec codec;
    private final InstanceRegistry registry;
    private final String storeEndpoint;
    private final BackupPool pool;
    private final BackupCommandWork work;
    private final CommandOffsets offsets = new CommandOffsets();
    private final Thread thread;
    private volatile boolean stopping;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private boolean paused;

    /**
     * @param kafkaProperties the consumer's properties ({@code kafka.bootstrap.servers} and
     *                        {@code kafka.consumers.tideline-archiver-backups.*}); the ones this class
     *                        depends on are set here
     */
    BackupCommandConsumer(Map<String, Object> kafkaProperties, BackupPoolSettings settings, EventCodec codec,
                          InstanceRegistry registry, String storeEndpoint, BackupCommandWork work) {
        this.kafkaProperties = kafkaProperties;
        this.settings = settings;
        this.codec = codec;
        this.registry = registry;
        this.storeEndpoint = storeEndpoint;
        this.work = work;
        this.pool = new BackupPool(settings, work);
        this.thread = new Thread(this::run, "backup-commands");
        this.thread.setDaemon(true);
    }

    BackupCommandConsumer start() {
        thread.start();
        return this;
    }

    BackupPool pool() {
        return pool;
    }

    private Properties properties() {
        Properties p = new Properties();
        p.putAll(kafkaProperties);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, BackupSettings.GROUP_ID);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, MAX_POLL_RECORDS);
        p.putIfAbsent(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, MAX_BACKUP_MILLIS);
        p.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
                "org.apache.kafka.clients.consumer.CooperativeStickyAssignor");
        p.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "archiver-backups-" + Long.toHexString(System.nanoTime()));
        return p;
    }

    private void run() {
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(properties())) {
            consumer = c;
            c.subscribe(List.of(Topics.BACKUP_COMMANDS), new Rebalance());
            while (!stopping) {
                try {
                    for (ConsumerRecord<String, byte[]> record : c.poll(settings.pollTimeout())) {
                        take(record);
                    }
                    commitFinished();
                    pauseOrResume();
                } catch (WakeupException e) {
                    throw e;
                } catch (RuntimeException e) {
                    // The loop must outlive a broker hiccup: nothing taken is lost (uncommitted), the next poll goes on.
                    LOG.error("backup-command consumer: {}; polling again in 1 s", e.getMessage(), e);
                    sleepQuietly();
                }
            }
            drainAndCommit();
        } catch (WakeupException e) {
            drainAndCommit();
        } catch (RuntimeException e) {
            LOG.error("the backup-command consumer stopped: {}", e.getMessage(), e);
            pool.close();
        } finally {
            consumer = null;
        }
    }

    private static void sleepQuietly() {
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Shutdown, still in the group: let the running backups end (bounded), then commit what ended. */
    private void drainAndCommit() {
        LOG.info("stopping: {} backup(s) running, {} queued (left uncommitted)", pool.running(), pool.queued());
        pool.close();
        try {
            commitFinished();
        } catch (RuntimeException e) {
            LOG.warn("could not commit the backup commands ended during shutdown (they come again, found done): {}",
                    e.getMessage());
        }
    }

    /** Decodes and validates one record: a valid command joins the pool, anything else is dead-lettered. */
    private void take(ConsumerRecord<String, byte[]> record) {
        TopicPartition partition = new TopicPartition(record.topic(), record.partition());
        offsets.taken(partition, record.offset());
        BackupRequest request;
        try {
            request = request(record);
        } catch (InvalidRecordException | SerializationException e) {
            work.deadLetter(record, e, 1);
            offsets.finished(partition, record.offset());
            return;
        }
        // An instance the registry does not know yet counts against no other instance's server.
        String server = registry.find(request.instance()).map(i -> i.host() + ":" + i.port())
                .orElse("unknown:" + request.instance().value());
        pool.submit(new BackupPool.Job(record, request, storeEndpoint, server));
    }

    private BackupRequest request(ConsumerRecord<String, byte[]> record) {
        SpecificRecord value;
        try {
            value = record.value() == null ? null : codec.decode(record.value());
        } catch (RuntimeException e) {
            throw new SerializationException("cannot decode the record: " + e.getMessage(), e);
        }
        if (!(value instanceof BackupCommand command)) {
            throw new InvalidRecordException("not a BackupCommand: " + (value == null ? "an empty record" : value.getSchema().getFullName()));
        }
        try {
            return BackupRequest.from(record.key(), command);
        } catch (IllegalArgumentException e) {
            throw new InvalidRecordException("malformed BackupCommand: " + e.getMessage(), e);
        }
    }

    private void commitFinished() {
        for (BackupPool.Job job : pool.takeFinished()) {
            offsets.finished(job.partition(), job.offset());
        }
        commit(offsets.committable());
    }

    private void commit(Map<TopicPartition, Long> positions) {
        KafkaConsumer<String, byte[]> c = consumer;
        Map<TopicPartition, OffsetAndMetadata> owned = new HashMap<>();
        positions.forEach((partition, position) -> {
            if (c.assignment().contains(partition)) {
                owned.put(partition, new OffsetAndMetadata(position));
            }
        });
        if (owned.isEmpty()) {
            return;
        }
        try {
            c.commitSync(owned, Duration.ofSeconds(30));
            owned.forEach((partition, position) -> offsets.committed(partition, position.offset()));
        } catch (RuntimeException e) {
            // Nothing lost: uncommitted commands come again; the next poll tries again.
            LOG.warn("could not commit backup commands {}: {}", owned, e.getMessage());
        }
    }

    private void pauseOrResume() {
        KafkaConsumer<String, byte[]> c = consumer;
        boolean full = pool.queued() >= settings.maxQueued();
        if (full && !paused) {
            c.pause(c.assignment());
            paused = true;
            LOG.info("{} backup commands are waiting for a free slot; taking no more until some start", pool.queued());
        } else if (!full && paused) {
            c.resume(c.paused());
            paused = false;
        }
    }

    private final class Rebalance implements ConsumerRebalanceListener {

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            if (partitions.isEmpty()) {
                return;
            }
            List<BackupPool.Job> dropped = pool.dropQueued(partitions);
            if (!stopping) {
                try {
                    pool.awaitIdle(partitions);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            commitFinished();
            partitions.forEach(offsets::forget);
            LOG.info("backup-command partitions {} revoked; {} queued command(s) left to the next owner", partitions, dropped.size());
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            pool.dropQueued(partitions);
            partitions.forEach(offsets::forget);
            LOG.warn("backup-command partitions {} lost (this member was dropped from the group)", partitions);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (paused) {
                consumer.pause(partitions); // a full queue takes nothing new, from new partitions neither
            }
        }
    }

    /**
     * Stops taking commands, lets the running backups end (bounded by {@code shutdown-timeout}), commits
     * what ended and leaves the group. Called after {@link BaseBackups#stop()} has ended the WAL waits.
     */
    @Override
    public void close() {
        if (stopping) {
            return;
        }
        stopping = true;
        work.stopWaits(); // whichever shutdown path comes first: WAL waits end before the pool is waited for
        KafkaConsumer<String, byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        try {
            thread.join(settings.shutdownTimeout().plusSeconds(30).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            LOG.warn("the backup-command consumer did not stop in time");
        }
    }
}
