package io.tideline.core.storage;

import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

/**
 * The S3 multipart upload behind {@link S3ObjectStore#openMultipart}. The writer fills one part
 * buffer; a full buffer is handed to a small pool of upload threads and the writer blocks on a
 * semaphore while {@code maxInFlightParts} are out, so at most (in flight + 1) buffers ever exist
 * (they are recycled). The whole-object sha256 is updated in write order on the writer's thread.
 *
 * <p>The multipart upload itself is created lazily with the first full part: an object smaller than
 * one part is written with a single PUT on {@link #complete()}, which also records its sha256 in metadata.
 */
final class S3MultipartUpload implements MultipartUpload {

    private static final Logger LOG = LoggerFactory.getLogger(S3MultipartUpload.class);
    /** S3's limit on part numbers. */
    static final int MAX_PARTS = 10_000;

    private enum State { OPEN, COMPLETED, ABORTED }

    private final S3ObjectStore store;
    private final String key;
    private final Map<String, String> metadata;
    private final int partSize;
    private final int maxInFlight;
    private final Semaphore inFlight;
    private final MessageDigest wholeSha256 = Sha256.newDigest();
    private final ConcurrentLinkedQueue<byte[]> spareBuffers = new ConcurrentLinkedQueue<>();
    private final ConcurrentSkipListMap<Integer, CompletedPart> completedParts = new ConcurrentSkipListMap<>();
    private final Deque<Future<?>> pending = new ArrayDeque<>();
    private final AtomicReference<StorageException> failure = new AtomicReference<>();

    private ExecutorService executor;
    private String uploadId;
    private byte[] buffer;
    private int filled;
    private long total;
    private int nextPartNumber = 1;
    private volatile State state = State.OPEN;

    S3MultipartUpload(S3ObjectStore store, String key, Map<String, String> metadata) {
        this.store = store;
        this.key = key;
        this.metadata = metadata;
        this.partSize = store.settings().partSize();
        this.maxInFlight = store.settings().maxInFlightParts();
        this.inFlight = new Semaphore(maxInFlight);
    }

    @Override
    public String key() {
        return key;
    }

    @Override
    public long bytesWritten() {
        return total;
    }

    @Override
    public void write(byte[] bytes, int offset, int length) {
        requireOpen();
        failIfAPartFailed();
        if (offset < 0 || length < 0 || offset + length > bytes.length) {
            throw new IndexOutOfBoundsException("offset " + offset + ", length " + length + ", array " + bytes.length);
        }
        while (length > 0) {
            if (buffer == null) {
                buffer = takeBuffer();
            }
            int n = Math.min(length, partSize - filled);
            System.arraycopy(bytes, offset, buffer, filled, n);
            wholeSha256.update(bytes, offset, n);
            filled += n;
            total += n;
            offset += n;
            length -= n;
            if (filled == partSize) {
                dispatchPart();
            }
        }
    }

    @Override
    public StoredObject complete() {
        requireOpen();
        failIfAPartFailed();
        try {
            if (uploadId == null) {
                // Everything fit one part: a plain PUT, which also records the sha256 in metadata.
                byte[] bytes = buffer == null ? new byte[0] : buffer;
                StoredObject stored = store.putRange(key, bytes, 0, filled, metadata);
                state = State.COMPLETED;
                releaseResources();
                return stored;
            }
            if (filled > 0) {
                dispatchPart();
            }
            awaitParts();
            failIfAPartFailed();
            List<CompletedPart> parts = new ArrayList<>(completedParts.values());
            if (parts.size() != nextPartNumber - 1) {
                throw new StorageException("multipart upload of " + StorageException.location(store.bucket(), key)
                        + " lost parts: sent " + (nextPartNumber - 1) + ", confirmed " + parts.size(),
                        store.bucket(), key, true, null);
            }
            CompleteMultipartUploadResponse response = store.client().completeMultipartUpload(b -> b
                    .bucket(store.bucket()).key(key).uploadId(uploadId)
                    .multipartUpload(m -> m.parts(parts)));
            state = State.COMPLETED;
            releaseResources();
            StoredObject stored = new StoredObject(key, total, store.serverTime(response.sdkHttpResponse()),
                    Optional.of(Sha256.ofDigest(wholeSha256.digest())), metadata);
            confirmSize(stored);
            return stored;
        } catch (SdkException e) {
            abortQuietly();
            throw store.translate("complete multipart upload of", key, e);
        } catch (RuntimeException e) {
            if (state != State.COMPLETED) {
                abortQuietly();
            }
            throw e;
        }
    }

    /**
     * The assembled object must have exactly the bytes we wrote: one HEAD is cheap insurance before
     * anyone is told the object is stored.
     */
    private void confirmSize(StoredObject stored) {
        HeadObjectResponse head = store.client().headObject(b -> b.bucket(store.bucket()).key(key));
        if (head.contentLength() != total) {
            throw new StorageException("multipart object " + StorageException.location(store.bucket(), key) + " has "
                    + head.contentLength() + " bytes after completion, but " + total + " were written",
                    store.bucket(), key, false, null);
        }
    }

    @Override
    public void abort() {
        if (state != State.OPEN) {
            return;
        }
        // Parts not yet started see ABORTED and skip. Parts on the wire are not cancelled: an interrupt
        // ends our side of the request, not the server's, which can still store the part after the
        // abort below and keep it as an orphan nobody lists (S3Proxy's filesystem store then refuses
        // to delete the bucket; AWS bills it). So the abort waits until every part has finished.
        state = State.ABORTED;
        awaitPartsQuietly();
        if (uploadId != null) {
            try {
                store.client().abortMultipartUpload(b -> b.bucket(store.bucket()).key(key).uploadId(uploadId));
            } catch (SdkException e) {
                // The store's lifecycle rule for incomplete uploads reclaims the parts; nothing is visible under the key.
                LOG.warn("could not abort multipart upload {} of {}: {}", uploadId,
                        StorageException.location(store.bucket(), key), e.getMessage());
            }
        }
        releaseResources();
    }

    @Override
    public void close() {
        if (state == State.OPEN) {
            abort();
        }
    }

    private void dispatchPart() {
        if (uploadId == null) {
            try {
                uploadId = store.client().createMultipartUpload(b -> b.bucket(store.bucket()).key(key)
                        .contentType("application/octet-stream").metadata(metadata)).uploadId();
            } catch (SdkException e) {
                abortQuietly();
                throw store.translate("start multipart upload of", key, e);
            }
            executor = Executors.newFixedThreadPool(maxInFlight, uploadThreads());
        }
        int partNumber = nextPartNumber;
        if (partNumber > MAX_PARTS) {
            abortQuietly();
            throw new StorageException("object " + StorageException.location(store.bucket(), key) + " would need more than "
                    + MAX_PARTS + " parts of " + partSize + " bytes; split it into several objects",
                    store.bucket(), key, false, null);
        }
        nextPartNumber++;
        byte[] part = buffer;
        int length = filled;
        buffer = null;
        filled = 0;
        try {
            inFlight.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            spareBuffers.add(part);
            abortQuietly();
            throw new StorageException("interrupted while uploading " + StorageException.location(store.bucket(), key),
                    store.bucket(), key, true, e);
        }
        pending.add(executor.submit(() -> uploadPart(partNumber, part, length)));
        // Keep the list of futures short on long uploads: finished ones need no waiting.
        while (!pending.isEmpty() && pending.peekFirst().isDone()) {
            pending.removeFirst();
        }
    }

    private void uploadPart(int partNumber, byte[] part, int length) {
        try {
            if (failure.get() != null || state == State.ABORTED) {
                return;
            }
            UploadPartResponse response = store.client().uploadPart(b -> b
                            .bucket(store.bucket()).key(key).uploadId(uploadId).partNumber(partNumber)
                            .contentLength((long) length)
                            .contentMD5(S3ObjectStore.md5(part, 0, length)),
                    S3ObjectStore.arrayBody(part, 0, length));
            completedParts.put(partNumber, CompletedPart.builder().partNumber(partNumber).eTag(response.eTag()).build());
        } catch (SdkException e) {
            failure.compareAndSet(null, store.translate("upload part " + partNumber + " of", key, e));
        } catch (RuntimeException e) {
            failure.compareAndSet(null, new StorageException("part " + partNumber + " of "
                    + StorageException.location(store.bucket(), key) + " failed: " + e, store.bucket(), key, false, e));
        } finally {
            spareBuffers.add(part);
            inFlight.release();
        }
    }

    private byte[] takeBuffer() {
        byte[] spare = spareBuffers.poll();
        return spare != null ? spare : new byte[partSize];
    }

    private void awaitParts() {
        for (Future<?> f : pending) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StorageException("interrupted while completing " + StorageException.location(store.bucket(), key),
                        store.bucket(), key, true, e);
            } catch (ExecutionException e) {
                // uploadPart records its own failures; reaching here means a bug, so keep the cause.
                failure.compareAndSet(null, new StorageException("part upload of " + key + " failed", store.bucket(), key,
                        false, e.getCause()));
            }
        }
        pending.clear();
    }

    /** Waits for every part to finish, even when interrupted (the interrupt is kept for the caller). */
    private void awaitPartsQuietly() {
        boolean interrupted = false;
        for (Future<?> f : pending) {
            while (true) {
                try {
                    f.get();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException | CancellationException e) {
                    // Aborting: the outcome of a part no longer matters, only that it is finished.
                    break;
                }
            }
        }
        pending.clear();
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void failIfAPartFailed() {
        StorageException failed = failure.get();
        if (failed != null) {
            abortQuietly();
            throw failed;
        }
    }

    private void abortQuietly() {
        try {
            abort();
        } catch (RuntimeException e) {
            LOG.warn("aborting upload of {} failed: {}", key, e.toString());
        }
    }

    private void requireOpen() {
        if (state != State.OPEN) {
            throw new IllegalStateException("upload of " + StorageException.location(store.bucket(), key) + " is already "
                    + state.name().toLowerCase());
        }
    }

    private void releaseResources() {
        if (executor != null) {
            executor.shutdownNow();
        }
        buffer = null;
        spareBuffers.clear();
    }

    private ThreadFactory uploadThreads() {
        String prefix = "s3-upload-" + Integer.toHexString(System.identityHashCode(this)) + "-";
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    @Override
    public String toString() {
        return "multipart upload of " + StorageException.location(store.bucket(), key) + " (" + total + " bytes so far, " + state + ")";
    }
}
