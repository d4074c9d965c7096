package io.tideline.archiver.basebackup;

import com.github.luben.zstd.RecyclingBufferPool;
import com.github.luben.zstd.ZstdOutputStreamNoFinalizer;
import io.tideline.core.basebackup.BackupManifest;
import io.tideline.core.ids.BackupId;
import io.tideline.core.storage.BucketLayout;
import io.tideline.core.storage.MultipartUpload;
import io.tideline.core.storage.ObjectStore;
import io.tideline.core.storage.StoredObject;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sink of a backup's tar stream: compresses it with zstd and stores it as the backup's part
 * objects ({@link BucketLayout#backupPart}), each holding {@code partRawBytes} of the stream (the last
 * one less) as ONE complete zstd frame with a content checksum. So every part decompresses on its own
 * (a restore fetches and unpacks parts in parallel), and the parts concatenated in order are still one
 * valid zstd stream of the whole tar, as the manifest's format says.
 *
 * <p>Each part is a {@link MultipartUpload}: its sub-parts go up in parallel while the stream goes on,
 * and the sha256 of every part object is computed on the fly by the upload. A finished part completes
 * (last sub-parts, assembly, size check) on a helper thread while the next part is already being
 * written, so the stream does not stall at part boundaries; at most one completion is pending, so
 * memory is bounded by two uploads' buffers plus zstd's window, whatever the backup's size.
 *
 * <p>Used from one thread. {@link #finish()} returns the parts once every one is confirmed stored;
 * {@link #discard()} aborts the part in progress and deletes the parts already stored.
 */
final class CompressedParts extends OutputStream {

    private static final Logger LOG = LoggerFactory.getLogger(CompressedParts.class);

    private final ObjectStore store;
    private final BucketLayout layout;
    private final BackupId backup;
    private final long partRawBytes;
    private final int level;
    private final int workers;
    private final List<BackupManifest.Part> parts = new ArrayList<>();
    private final AtomicLong storedBytes = new AtomicLong();

    private ExecutorService completer;
    private Future<BackupManifest.Part> pending;
    private MultipartUpload upload;
    private ZstdOutputStreamNoFinalizer zstd;
    private long rawInPart;
    /** Not parts.size() + 1: the previous part may still be completing, not yet in the list. */
    private int nextPartNumber = 1;
    private boolean closed;

    CompressedParts(ObjectStore store, BucketLayout layout, BackupId backup, long partRawBytes, int level, int workers) {
        this.store = store;
        this.layout = layout;
        this.backup = backup;
        this.partRawBytes = partRawBytes;
        this.level = level;
        this.workers = workers;
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
                if (upload == null) {
                    openPart();
                }
                int n = (int) Math.min(length, partRawBytes - rawInPart);
                zstd.write(bytes, offset, n);
                rawInPart += n;
                offset += n;
                length -= n;
                if (rawInPart == partRawBytes) {
                    closePart();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("compressing part " + (parts.size() + 1) + " of backup " + backup + ": " + e.getMessage(), e);
        }
    }

    /** Compressed bytes of the parts confirmed stored so far; safe to read from any thread. */
    long storedBytes() {
        return storedBytes.get();
    }

    /** Stores what remains and returns every part, in stream order, each confirmed with its sha256. */
    List<BackupManifest.Part> finish() {
        requireOpen();
        try {
            if (upload != null) {
                closePart();
            }
            collectPending();
        } catch (IOException e) {
            throw new UncheckedIOException("compressing the last part of backup " + backup + ": " + e.getMessage(), e);
        } finally {
            stopCompleter();
        }
        closed = true;
        if (parts.isEmpty()) {
            throw new IllegalStateException("backup " + backup + " has no data: the stream was empty");
        }
        return List.copyOf(parts);
    }

    /**
     * Abandons the backup's data: aborts the part being uploaded and deletes the stored ones. When the
     * store cannot be reached the stored parts stay, manifest-less, which makes them an incomplete
     * backup that nothing restores from and retention removes.
     */
    void discard() {
        closed = true;
        if (zstd != null) {
            try {
                zstd.closeWithoutClosingParentStream();
            } catch (IOException | RuntimeException e) {
                // only releasing native memory here; the data is being thrown away
            }
        }
        if (upload != null) {
            upload.abort();
        }
        if (pending != null) {
            // A completion cannot be recalled: if it lands, its part is deleted with the others.
            try {
                parts.add(pending.get());
            } catch (ExecutionException | RuntimeException e) {
                // that part was not stored (its upload aborted itself)
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            pending = null;
        }
        stopCompleter();
        List<String> keys = parts.stream().map(BackupManifest.Part::key).toList();
        if (!keys.isEmpty()) {
            try {
                store.deleteAll(keys);
            } catch (RuntimeException e) {
                LOG.warn("could not delete the {} stored part(s) of failed backup {}: {}; without a manifest they are"
                        + " an incomplete backup, removed by retention", keys.size(), backup, e.getMessage());
            }
        }
    }

    private void openPart() throws IOException {
        int number = nextPartNumber;
        if (number > BucketLayout.MAX_BACKUP_PARTS) {
            throw new IllegalStateException("backup " + backup + " would need more than " + BucketLayout.MAX_BACKUP_PARTS
                    + " parts of " + partRawBytes + " bytes; raise tideline.archiver.backup.part-raw-bytes");
        }
        upload = store.openMultipart(layout.backupPart(backup, number), Map.of());
        nextPartNumber++;
        zstd = new ZstdOutputStreamNoFinalizer(upload.asOutputStream(), RecyclingBufferPool.INSTANCE, level);
        zstd.setChecksum(true);
        if (workers > 0) {
            zstd.setWorkers(workers);
        }
        rawInPart = 0;
    }

    private void closePart() throws IOException {
        // Ends the frame; the upload's stream view only flushes on close, complete() stores the object.
        zstd.close();
        zstd = null;
        collectPending();
        MultipartUpload finished = upload;
        long raw = rawInPart;
        upload = null;
        if (completer == null) {
            completer = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "backup-part-completer-" + backup.value());
                t.setDaemon(true);
                return t;
            });
        }
        pending = completer.submit(() -> {
            StoredObject stored = finished.complete();
            storedBytes.addAndGet(stored.size());
            return new BackupManifest.Part(stored.key(), OptionalLong.of(raw), stored.size(), stored.requireSha256());
        });
    }

    /** Waits for the part completing in the background; its failure is the stream's failure. */
    private void collectPending() {
        if (pending == null) {
            return;
        }
        try {
            parts.add(pending.get());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while storing a part of backup " + backup, e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw cause instanceof RuntimeException r ? r : new IllegalStateException(cause);
        } finally {
            pending = null;
        }
    }

    private void stopCompleter() {
        if (completer != null) {
            completer.shutdownNow();
            completer = null;
        }
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("the data of backup " + backup + " is already finished or discarded");
        }
    }
}
