package io.tideline.archiver.wal;

import io.tideline.core.wal.Lsn;
import io.tideline.core.wal.WalSegmentName;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The complete segments of one stream whose upload runs off the stream's thread (issue 18.4), in stream
 * order: the stream goes on receiving and compressing the next segment while the store encrypts and
 * PUTs the last one. Only bookkeeping lives here — the pump decides: it hands a segment over
 * ({@link #submit}), waits when {@link #MAX_IN_FLIGHT} are held, and confirms them from the head only
 * ({@link #head}), so the slot is told segment n+1 never before segment n, whatever order the store
 * answered in. An upload that failed is tried again by the pump, on its thread, before anything behind it.
 *
 * <p>Memory: at most {@link #MAX_IN_FLIGHT} sealed segments (compressed, a few MiB each) besides the one
 * filling. Threads: up to {@link #MAX_IN_FLIGHT} per stream, only while uploads run (an idle stream holds none).
 */
final class SegmentUploads implements AutoCloseable {

    /** Complete segments held at once besides the filling one: one uploading while the next waits its turn. */
    static final int MAX_IN_FLIGHT = 2;
    private static final long THREAD_KEEP_ALIVE_SECONDS = 5;

    /** A complete segment handed over, with what the pump needs to confirm it. */
    record Pending(WalSegmentName segment, CompressedSegment.Sealed wal, Optional<Instant> covered,
                   Lsn storedBefore, boolean removePartial, Instant unstoredSince,
                   CompletableFuture<StoredWalObject> upload) {
    }

    private final Deque<Pending> pending = new ArrayDeque<>(MAX_IN_FLIGHT);
    private final Executor executor;
    /** The executor this made itself (closed with it); null when the caller's (tests: run at once). */
    private final ExecutorService owned;

    private SegmentUploads(Executor executor, ExecutorService owned) {
        this.executor = executor;
        this.owned = owned;
    }

    /** Uploads on threads of their own, named after the stream, that end after a few idle seconds. */
    static SegmentUploads threads(String name) {
        AtomicInteger n = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(MAX_IN_FLIGHT, MAX_IN_FLIGHT, THREAD_KEEP_ALIVE_SECONDS,
                TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "wal-store-" + name + "-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true);
        return new SegmentUploads(pool, pool);
    }

    /** Uploads on {@code executor} (a test's: {@code Runnable::run} uploads at once, on the stream's thread). */
    static SegmentUploads on(Executor executor) {
        return new SegmentUploads(executor, null);
    }

    boolean isEmpty() {
        return pending.isEmpty();
    }

    boolean isFull() {
        return pending.size() >= MAX_IN_FLIGHT;
    }

    /** The oldest segment not yet confirmed, or null. */
    Pending head() {
        return pending.peekFirst();
    }

    /** The oldest unconfirmed segment is confirmed (or given up): the next one becomes the head. */
    void removeHead() {
        pending.pollFirst();
    }

    /** Starts storing a complete segment behind those held; the caller made room first. */
    Pending submit(WalSegmentName segment, CompressedSegment.Sealed wal, Optional<Instant> covered, Lsn storedBefore,
                   boolean removePartial, Instant unstoredSince, UploadRetry.Upload<StoredWalObject> upload) {
        if (isFull()) {
            throw new IllegalStateException(MAX_IN_FLIGHT + " segments are being stored already");
        }
        CompletableFuture<StoredWalObject> future = CompletableFuture.supplyAsync(upload::run, executor);
        Pending p = new Pending(segment, wal, covered, storedBefore, removePartial, unstoredSince, future);
        pending.addLast(p);
        return p;
    }

    /**
     * Stops waiting for the uploads still running (a stop without flush, a broken session): none of them was
     * confirmed to the slot, so the next session streams their WAL again; one that still completes is a
     * segment stored early, which the idempotent write of the next session accepts.
     */
    @Override
    public void close() {
        pending.forEach(p -> p.upload().cancel(true));
        pending.clear();
        if (owned != null) {
            owned.shutdownNow();
        }
    }
}
