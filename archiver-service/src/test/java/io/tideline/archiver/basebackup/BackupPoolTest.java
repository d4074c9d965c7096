package io.tideline.archiver.basebackup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tideline.core.ids.InstanceId;
import io.tideline.core.kafka.Topics;
import io.tideline.schemas.BackupReason;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** Issue 18: the pool's limits, counted by the work itself while it runs. */
class BackupPoolTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    /** Work that holds each job until released, counting how many run at once, in total and per key. */
    private static final class HeldWork implements BackupPool.Work {
        final AtomicInteger now = new AtomicInteger();
        final AtomicInteger most = new AtomicInteger();
        final Map<String, AtomicInteger> perServerNow = new ConcurrentHashMap<>();
        final AtomicInteger mostPerServer = new AtomicInteger();
        final AtomicInteger started = new AtomicInteger();
        final CountDownLatch release = new CountDownLatch(1);

        @Override
        public void run(BackupPool.Job job) throws InterruptedException {
            int running = now.incrementAndGet();
            most.accumulateAndGet(running, Math::max);
            int onServer = perServerNow.computeIfAbsent(job.server(), s -> new AtomicInteger()).incrementAndGet();
            mostPerServer.accumulateAndGet(onServer, Math::max);
            started.incrementAndGet();
            try {
                release.await(30, TimeUnit.SECONDS);
                Thread.sleep(5);
            } finally {
                perServerNow.get(job.server()).decrementAndGet();
                now.decrementAndGet();
            }
        }
    }

    private static BackupPool.Job job(int n, String server) {
        String instance = "pool-test-" + n;
        BackupRequest request = BackupRequest.from(instance, BackupTesting.command(instance, "manual:" + instance, BackupReason.ON_DEMAND));
        return new BackupPool.Job(new ConsumerRecord<>(Topics.BACKUP_COMMANDS, n % 3, n, instance, new byte[0]), request,
                "http://store", server);
    }

    private static void await(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < end, "timed out");
            Thread.sleep(10);
        }
    }

    @Test
    void neverMoreThanMaxConcurrentRunAndTheRestWaitVisiblyInTheQueue() throws Exception {
        HeldWork work = new HeldWork();
        BackupPoolSettings settings = new BackupPoolSettings(3, 10, 10, 100, Duration.ofSeconds(1), Duration.ofSeconds(5));
        try (BackupPool pool = new BackupPool(settings, work)) {
            for (int i = 0; i < 10; i++) {
                pool.submit(job(i, "server-" + i));
            }
            await(() -> work.started.get() == 3);
            assertEquals(3, pool.running());
            assertEquals(7, pool.queued(), "the waiting commands are counted");
            work.release.countDown();
            await(() -> pool.takeFinishedCount() == 10);
            assertEquals(3, work.most.get(), "at most max-concurrent at once, and that many");
        }
    }

    @Test
    void oneServerGetsAtMostItsShareAndOthersGoAheadOfItsQueuedJobs() throws Exception {
        HeldWork work = new HeldWork();
        BackupPoolSettings settings = new BackupPoolSettings(4, 4, 1, 100, Duration.ofSeconds(1), Duration.ofSeconds(5));
        try (BackupPool pool = new BackupPool(settings, work)) {
            pool.submit(job(0, "a"));
            pool.submit(job(1, "a"));
            pool.submit(job(2, "a"));
            pool.submit(job(3, "b"));
            await(() -> work.started.get() == 2);
            assertEquals(2, pool.running(), "one from a, and b's job from behind a's queued ones");
            assertEquals(2, pool.queued());
            work.release.countDown();
            await(() -> pool.takeFinishedCount() == 4);
            assertEquals(1, work.mostPerServer.get());
        }
    }

    @Test
    void queuedJobsOfARevokedPartitionAreDroppedUnfinished() throws Exception {
        HeldWork work = new HeldWork();
        BackupPoolSettings settings = new BackupPoolSettings(1, 1, 1, 100, Duration.ofSeconds(1), Duration.ofSeconds(5));
        List<BackupPool.Job> dropped = new ArrayList<>();
        try (BackupPool pool = new BackupPool(settings, work)) {
            pool.submit(job(0, "a"));
            pool.submit(job(3, "b"));
            pool.submit(job(1, "c"));
            await(() -> work.started.get() == 1);
            dropped.addAll(pool.dropQueued(List.of(new TopicPartition(Topics.BACKUP_COMMANDS, 0))));
            work.release.countDown();
            await(() -> pool.takeFinishedCount() == 2);
        }
        assertEquals(List.of(3L), dropped.stream().map(BackupPool.Job::offset).toList());
    }

    @Test
    void closingLeavesQueuedAndInterruptedJobsUnfinished() throws Exception {
        HeldWork work = new HeldWork();
        BackupPoolSettings settings = new BackupPoolSettings(1, 1, 1, 100, Duration.ofSeconds(1), Duration.ofMillis(200));
        BackupPool pool = new BackupPool(settings, work);
        pool.submit(job(0, "a"));
        pool.submit(job(1, "b"));
        await(() -> work.started.get() == 1);
        pool.close(); // the running one is interrupted after 200 ms
        assertEquals(List.of(), pool.takeFinished(), "neither may be committed");
        assertEquals(1, work.started.get());
    }
}
