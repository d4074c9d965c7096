package io.tideline.archiver.basebackup;

import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * The replica's shared machinery for storing the parts of base backups (issue 18): one bounded pool of
 * threads that compress and hash parts (one per core by default), one of threads that upload them, and
 * ONE budget of parts in flight shared by every backup this replica takes. A part is in flight from the
 * moment its stream starts filling its buffer until the store confirmed it (or it failed), so the memory
 * of all backups together is bounded by {@code partsInFlight × (partRawBytes + its compressed size)}
 * plus one output buffer per compressing thread, however many backups run and however fast the store
 * is: a stream that finds the budget spent waits (pg_basebackup then waits on its pipe).
 *
 * <p>Buffers are recycled while backups run and dropped once no part is in flight, so an idle replica
 * holds none.
 */
final class PartPipeline implements AutoCloseable {

    /** How often a stream waiting for the budget looks whether its backup failed meanwhile. */
    private static final long WAIT_SLICE_MILLIS = 100;

    private final int partsInFlight;
    private final int partRawBytes;
    private final Duration uploadBackoff;
    private final Semaphore budget;
    private final java.util.concurrent.atomic.AtomicLong waitedNanos = new java.util.concurrent.atomic.AtomicLong();
    private final ConcurrentLinkedQueue<byte[]> spareBuffers = new ConcurrentLinkedQueue<>();
    private final ExecutorService compressors;
    private final ExecutorService uploaders;
    /** Every buffer's size: zstd's bound for a whole part, so one buffer serves as raw input or as output. */
    private final int bufferBytes;

    /**
     * @param compressionThreads threads compressing and hashing parts (all backups of the replica)
     * @param partsInFlight      parts held at once, all backups of the replica together (≥ 1)
     * @param partRawBytes       raw bytes of a part (the size of a buffer)
     * @param uploadBackoff      first pause before a failed part upload is tried again (doubles)
     */
    PartPipeline(int compressionThreads, int partsInFlight, long partRawBytes, Duration uploadBackoff) {
        if (compressionThreads < 1 || partsInFlight < 1 || partRawBytes < 1 || partRawBytes > BackupSettings.MAX_PART_RAW_BYTES) {
            throw new IllegalArgumentException("bad part pipeline: " + compressionThreads + " threads, " + partsInFlight
                    + " parts in flight of " + partRawBytes + " bytes");
        }
        this.partsInFlight = partsInFlight;
        this.partRawBytes = (int) partRawBytes;
        this.uploadBackoff = uploadBackoff;
        this.budget = new Semaphore(partsInFlight, true);
        this.compressors = Executors.newFixedThreadPool(compressionThreads, named("backup-part-zstd-"));
        // As many uploaders as parts may be in flight: an upload never waits for a thread, only for the store.
        this.uploaders = Executors.newFixedThreadPool(partsInFlight, named("backup-part-upload-"));
        this.bufferBytes = (int) com.github.luben.zstd.Zstd.compressBound(partRawBytes);
    }

    /** The replica's pipeline from its settings. */
    static PartPipeline of(BackupSettings settings) {
        return new PartPipeline(settings.compressionThreads(), settings.partsInFlight(), settings.partRawBytes(),
                Duration.ofSeconds(1));
    }

    int partRawBytes() {
        return partRawBytes;
    }

    int partsInFlight() {
        return partsInFlight;
    }

    /** Parts in flight now, all backups together. */
    int inFlight() {
        return partsInFlight - budget.availablePermits();
    }

    Duration uploadBackoff() {
        return uploadBackoff;
    }

    /**
     * Takes one part's place in the budget and a buffer for it; waits while the budget is spent.
     * {@code giveUp} is asked while waiting: once it says so, this returns {@code null} (the backup failed).
     */
    byte[] acquire(BooleanSupplier giveUp) throws InterruptedException {
        if (!budget.tryAcquire()) {
            long t0 = System.nanoTime();
            try {
                while (!budget.tryAcquire(WAIT_SLICE_MILLIS, TimeUnit.MILLISECONDS)) {
                    if (giveUp.getAsBoolean()) {
                        return null;
                    }
                }
            } finally {
                waitedNanos.addAndGet(System.nanoTime() - t0);
            }
        }
        return buffer();
    }

    /** How long streams have waited for the budget, in all: time the store or the compressors held the backups back. */
    java.time.Duration waited() {
        return java.time.Duration.ofNanos(waitedNanos.get());
    }

    /** A buffer for a compressor's output (bounded by the compressing threads, not by the budget). */
    byte[] buffer() {
        byte[] buffer = spareBuffers.poll();
        return buffer != null ? buffer : new byte[bufferBytes];
    }

    /** A buffer is no longer needed (its part compressed, or abandoned): it may serve another part. */
    void recycle(byte[] buffer) {
        spareBuffers.add(buffer);
    }

    /** The part is stored or failed: its place in the budget is free. An idle replica gives its buffers back. */
    void release() {
        budget.release();
        if (budget.availablePermits() == partsInFlight) {
            spareBuffers.clear();
        }
    }

    ExecutorService compressors() {
        return compressors;
    }

    ExecutorService uploaders() {
        return uploaders;
    }

    @Override
    public void close() {
        compressors.shutdownNow();
        uploaders.shutdownNow();
        spareBuffers.clear();
    }

    private static ThreadFactory named(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
