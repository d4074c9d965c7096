package io.tideline.archiver.basebackup;

import io.tideline.core.ids.InstanceId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bounded pool base backups run on (issue 18): at most {@code max-concurrent} at once in this replica,
 * {@code max-concurrent-per-store} against one object-store endpoint, {@code max-concurrent-per-server}
 * from one PostgreSQL server, and one at a time per instance (commands of one instance run in the order
 * they came). A job that cannot start yet waits in the queue; a job behind it whose limits allow it
 * starts first. Which jobs ended is handed back to the consumer thread ({@link #takeFinished()}), the
 * only one that commits offsets.
 */
final class BackupPool implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(BackupPool.class);

    /** One accepted command: where it came from (to commit), what it asks, and the limits it counts against. */
    record Job(ConsumerRecord<String, byte[]> record, BackupRequest request, String store, String server) {

        TopicPartition partition() {
            return new TopicPartition(record.topic(), record.partition());
        }

        long offset() {
            return record.offset();
        }

        InstanceId instance() {
            return request.instance();
        }
    }

    /** Handles one job; returning means it ended (answered or dead-lettered), an interruption that it did not. */
    interface Work {
        void run(Job job) throws InterruptedException;
    }

    private final BackupPoolSettings settings;
    private final Work work;
    private final ExecutorService workers;
    private final LinkedList<Job> queue = new LinkedList<>();
    private final Set<Job> running = new HashSet<>();
    private final Set<InstanceId> busyInstances = new HashSet<>();
    private final Map<String, Integer> perStore = new HashMap<>();
    private final Map<String, Integer> perServer = new HashMap<>();
    private final Queue<Job> finished = new ConcurrentLinkedQueue<>();
    private final AtomicInteger endedCount = new AtomicInteger();
    private boolean closed;

    BackupPool(BackupPoolSettings settings, Work work) {
        this.settings = settings;
        this.work = work;
        AtomicInteger n = new AtomicInteger();
        // Threads made as needed, never more than max-concurrent alive with work (dispatch bounds it).
        this.workers = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "base-backup-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    synchronized void submit(Job job) {
        if (closed) {
            return; // not finished, so not committed: the next owner gets it
        }
        queue.add(job);
        dispatch();
    }

    /** Starts every queued job the limits allow, oldest first. */
    private void dispatch() {
        Iterator<Job> it = queue.iterator();
        while (it.hasNext() && running.size() < settings.maxConcurrent()) {
            Job job = it.next();
            if (busyInstances.contains(job.instance())
                    || perStore.getOrDefault(job.store(), 0) >= settings.maxConcurrentPerStore()
                    || perServer.getOrDefault(job.server(), 0) >= settings.maxConcurrentPerServer()) {
                continue;
            }
            it.remove();
            running.add(job);
            busyInstances.add(job.instance());
            perStore.merge(job.store(), 1, Integer::sum);
            perServer.merge(job.server(), 1, Integer::sum);
            workers.execute(() -> run(job));
        }
    }

    private void run(Job job) {
        boolean ended = false;
        try {
            work.run(job);
            ended = true;
        } catch (InterruptedException e) {
            LOG.info("{} was interrupted; it is not committed and comes back to the partition's next owner", job.request());
        } catch (RuntimeException e) {
            // Work answers or dead-letters everything itself; this is a bug, and the command is not lost.
            LOG.error("{} failed outside its handling; it is not committed", job.request(), e);
        } finally {
            if (ended) {
                finished.add(job);
                endedCount.incrementAndGet();
            }
            synchronized (this) {
                running.remove(job);
                busyInstances.remove(job.instance());
                perStore.merge(job.store(), -1, Integer::sum);
                perServer.merge(job.server(), -1, Integer::sum);
                notifyAll();
                if (!closed) {
                    dispatch();
                }
            }
        }
    }

    /** The jobs that ended since the last call (consumer thread). */
    List<Job> takeFinished() {
        List<Job> ended = new ArrayList<>();
        Job job;
        while ((job = finished.poll()) != null) {
            ended.add(job);
        }
        return ended;
    }

    /** For tests: how many ended so far in total. */
    int takeFinishedCount() {
        return endedCount.get();
    }

    synchronized int queued() {
        return queue.size();
    }

    synchronized int running() {
        return running.size();
    }

    /** Removes the queued jobs of {@code partitions} (they went to another member, uncommitted). */
    synchronized List<Job> dropQueued(Collection<TopicPartition> partitions) {
        List<Job> dropped = new ArrayList<>();
        queue.removeIf(job -> partitions.contains(job.partition()) && dropped.add(job));
        return dropped;
    }

    /**
     * Waits until no job of {@code partitions} runs: a replica keeps a partition while it takes a backup
     * of it, so no other replica fails that backup as interrupted (see {@link BaseBackups}).
     */
    synchronized void awaitIdle(Collection<TopicPartition> partitions) throws InterruptedException {
        while (running.stream().anyMatch(job -> partitions.contains(job.partition()))) {
            wait(1000);
        }
    }

    /**
     * Drops the queue and waits up to {@code timeout} for the running jobs, then interrupts them.
     * Queued and interrupted jobs are not finished: their commands come back to the next owner.
     */
    @Override
    public void close() {
        List<Job> dropped;
        synchronized (this) {
            closed = true;
            dropped = new ArrayList<>(queue);
            queue.clear();
        }
        if (!dropped.isEmpty()) {
            LOG.info("{} queued backup command(s) left uncommitted for the next owner", dropped.size());
        }
        workers.shutdown();
        try {
            if (!workers.awaitTermination(settings.shutdownTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("backups still running after {}; interrupting them (their commands come back uncommitted)",
                        settings.shutdownTimeout());
                workers.shutdownNow();
                workers.awaitTermination(Duration.ofSeconds(10).toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            workers.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
