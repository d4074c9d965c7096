package io.tideline.archiver.basebackup;

import com.github.luben.zstd.ZstdCompressCtx;
import io.tideline.core.basebackup.BackupManifest;
import io.tideline.core.ids.BackupId;
import io.tideline.core.storage.BucketLayout;
import io.tideline.core.storage.ObjectStore;
import io.tideline.core.storage.StorageErrors;
import io.tideline.core.storage.StorageException;
import io.tideline.core.storage.StorageFailure;
import io.tideline.core.storage.StoredObject;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sink of a backup's tar stream: cuts it into parts of {@code partRawBytes} and stores each as one
 * part object ({@link BucketLayout#backupPart}) holding ONE complete zstd frame with a content checksum.
 * Every part decompresses on its own (a restore fetches and unpacks parts in parallel), and the parts
 * concatenated in order are still one valid zstd stream of the whole tar, as the manifest's format says.
 *
 * <p>Issue 18: because parts are independent frames, they are compressed on the replica's
 * {@link PartPipeline} (all cores) and uploaded concurrently while the stream goes on filling the next
 * part; the stream only waits when the replica's budget of parts in flight is spent. A part counts as
 * stored only once the store confirmed it (its sha256 is the store's answer); an upload the store
 * refuses as unavailable is tried again ({@value #UPLOAD_ATTEMPTS} attempts in all, with a doubling
 * pause) and a part that still fails fails the backup: the next {@code write} or {@link #finish()}
 * throws its failure. The manifest's parts are in stream order whatever order they were stored in.
 *
 * <p>Written from one thread. {@link #finish()} returns the parts once every one is confirmed stored;
 * {@link #discard()} stops what is still running and deletes every part this backup may have stored.
 */
final class CompressedParts extends OutputStream {

    private static final Logger LOG = LoggerFactory.getLogger(CompressedParts.class);
    /** Attempts of one part's upload, the store client's own retries inside each. */
    static final int UPLOAD_ATTEMPTS = 3;
    /** How long a discard waits for parts being compressed or uploaded to settle before deleting. */
    private static final long SETTLE_SECONDS = 120;

    private final ObjectStore store;
    private final BucketLayout layout;
    private final BackupId backup;
    private final int level;
    private final PartPipeline pipeline;
    private final List<CompletableFuture<BackupManifest.Part>> parts = new ArrayList<>();
    private final AtomicLong storedBytes = new AtomicLong();
    /** The first part that failed for good: the backup has failed. */
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final AtomicBoolean discarded = new AtomicBoolean();

    private byte[] buffer;
    private int filled;
    private boolean closed;

    CompressedParts(ObjectStore store, BucketLayout layout, BackupId backup, int level, PartPipeline pipeline) {
        this.store = store;
        this.layout = layout;
        this.backup = backup;
        this.level = level;
        this.pipeline = pipeline;
    }

    @Override
    public void write(int b) {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) {
        requireOpen();
        try {
            while (length > 0) {
                if (buffer == null) {
                    openPart();
                }
                int n = Math.min(length, pipeline.partRawBytes() - filled);
                System.arraycopy(bytes, offset, buffer, filled, n);
                filled += n;
                offset += n;
                length -= n;
                if (filled == pipeline.partRawBytes()) {
                    submitPart();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting to store part " + (parts.size() + 1) + " of backup " + backup, e);
        }
    }

    /** Compressed bytes of the parts confirmed stored so far; safe to read from any thread. */
    long storedBytes() {
        return storedBytes.get();
    }

    /** Stores what remains and returns every part, in stream order, each confirmed with its sha256. */
    List<BackupManifest.Part> finish() {
        requireOpen();
        if (buffer != null) {
            submitPart();
        }
        List<BackupManifest.Part> stored = new ArrayList<>(parts.size());
        for (CompletableFuture<BackupManifest.Part> part : parts) {
            stored.add(await(part));
        }
        closed = true;
        if (stored.isEmpty()) {
            throw new IllegalStateException("backup " + backup + " has no data: the stream was empty");
        }
        return List.copyOf(stored);
    }

    /**
     * Abandons the backup's data: parts not yet uploading are dropped, those uploading are let settle,
     * then every part key this backup used is deleted. When the store cannot be reached the stored
     * parts stay, manifest-less, which makes them an incomplete backup that nothing restores from and
     * retention removes.
     */
    void discard() {
        closed = true;
        if (!discarded.compareAndSet(false, true)) {
            return;
        }
        if (buffer != null) {
            pipeline.recycle(buffer);
            pipeline.release();
            buffer = null;
        }
        settle();
        List<String> keys = new ArrayList<>(parts.size());
        for (int number = 1; number <= parts.size(); number++) {
            keys.add(layout.backupPart(backup, number));
        }
        if (!keys.isEmpty()) {
            try {
                store.deleteAll(keys);
            } catch (RuntimeException e) {
                LOG.warn("could not delete the {} part(s) of failed backup {}: {}; without a manifest they are"
                        + " an incomplete backup, removed by retention", keys.size(), backup, e.getMessage());
            }
        }
    }

    private void openPart() throws InterruptedException {
        failIfAPartFailed();
        int number = parts.size() + 1;
        if (number > BucketLayout.MAX_BACKUP_PARTS) {
            throw new IllegalStateException("backup " + backup + " would need more than " + BucketLayout.MAX_BACKUP_PARTS
                    + " parts of " + pipeline.partRawBytes() + " bytes; raise tideline.archiver.backup.part-raw-bytes");
        }
        byte[] taken = pipeline.acquire(() -> failure.get() != null);
        if (taken == null) {
            failIfAPartFailed();
        }
        if (failure.get() != null) {
            // a part failed while this one waited for its place: the backup is over
            pipeline.recycle(taken);
            pipeline.release();
            failIfAPartFailed();
        }
        buffer = taken;
        filled = 0;
    }

    /** Hands the filled buffer to the pipeline: compress (and hash) on a pool thread, then upload on another. */
    private void submitPart() {
        int number = parts.size() + 1;
        String key = layout.backupPart(backup, number);
        byte[] raw = buffer;
        int rawLength = filled;
        buffer = null;
        filled = 0;
        CompletableFuture<BackupManifest.Part> part;
        try {
            part = CompletableFuture
                    .supplyAsync(() -> compress(raw, rawLength), pipeline.compressors())
                    .thenApplyAsync(compressed -> upload(key, compressed, rawLength), pipeline.uploaders())
                    .whenComplete((stored, error) -> {
                        // the failure first: a stream woken by the freed place must see that the backup failed
                        if (error != null) {
                            failure.compareAndSet(null, unwrap(error));
                        }
                        pipeline.release();
                    });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // the replica is shutting down: the part never entered the pipeline
            pipeline.recycle(raw);
            pipeline.release();
            throw new IllegalStateException("backup " + backup + " stopped: the replica is shutting down", e);
        }
        parts.add(part);
    }

    /** One zstd frame of the part, with its content size and checksum; the raw buffer goes back at once. */
    private byte[] compress(byte[] raw, int length) {
        byte[] out = pipeline.buffer();
        try (ZstdCompressCtx zstd = new ZstdCompressCtx()) {
            if (discarded.get()) {
                throw new IllegalStateException("backup " + backup + " was abandoned");
            }
            zstd.setLevel(level);
            zstd.setChecksum(true);
            int n = zstd.compressByteArray(out, 0, out.length, raw, 0, length);
            return Arrays.copyOf(out, n);
        } finally {
            pipeline.recycle(out);
            pipeline.recycle(raw);
        }
    }

    /** Stores the part; a store that is unavailable is asked again after a pause, a refusal fails at once. */
    private BackupManifest.Part upload(String key, byte[] compressed, long rawLength) {
        Duration pause = pipeline.uploadBackoff();
        for (int attempt = 1; ; attempt++) {
            if (discarded.get()) {
                throw new IllegalStateException("backup " + backup + " was abandoned");
            }
            try {
                StoredObject stored = store.put(key, compressed, Map.of());
                storedBytes.addAndGet(stored.size());
                return new BackupManifest.Part(stored.key(), OptionalLong.of(rawLength), stored.size(), stored.requireSha256());
            } catch (StorageException e) {
                if (attempt >= UPLOAD_ATTEMPTS || StorageErrors.classify(e) != StorageFailure.UNAVAILABLE) {
                    throw e;
                }
                LOG.warn("storing {} of backup {} failed (attempt {} of {}), trying again in {}: {}", key, backup, attempt,
                        UPLOAD_ATTEMPTS, pause, e.getMessage());
                sleep(pause);
                pause = pause.multipliedBy(2);
            }
        }
    }

    private void sleep(Duration pause) {
        try {
            Thread.sleep(pause.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while storing a part of backup " + backup, e);
        }
    }

    /** Waits for one part; its failure (or any earlier part's) is the stream's failure. */
    private BackupManifest.Part await(CompletableFuture<BackupManifest.Part> part) {
        try {
            return part.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while storing the parts of backup " + backup, e);
        } catch (ExecutionException e) {
            throw asRuntime(unwrap(e));
        }
    }

    private void failIfAPartFailed() {
        Throwable failed = failure.get();
        if (failed != null) {
            throw asRuntime(failed);
        }
    }

    /** Waits (bounded) until no part of this backup is being compressed or uploaded any more. */
    private void settle() {
        // A stopping thread still waits: deleting before an upload lands would leave that part behind.
        boolean interrupted = Thread.interrupted();
        try {
            CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).get(SETTLE_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            // a failed part is settled too
        } catch (TimeoutException e) {
            LOG.warn("parts of failed backup {} still uploading after {} s; deleting what is there", backup, SETTLE_SECONDS);
        } catch (InterruptedException e) {
            interrupted = true;
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static Throwable unwrap(Throwable e) {
        Throwable t = e;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    private static RuntimeException asRuntime(Throwable t) {
        return t instanceof RuntimeException r ? r : new IllegalStateException(t.getMessage(), t);
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("the data of backup " + backup + " is already finished or discarded");
        }
    }
}
