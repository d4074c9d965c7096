package io.tideline.archiver.basebackup;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdInputStream;
import io.tideline.core.basebackup.BackupManifest;
import io.tideline.core.ids.BackupId;
import io.tideline.core.storage.BucketLayout;
import io.tideline.core.storage.MultipartUpload;
import io.tideline.core.storage.ObjectStore;
import io.tideline.core.storage.Sha256;
import io.tideline.core.storage.StorageException;
import io.tideline.core.storage.StoredObject;
import io.tideline.testkit.storage.InMemoryObjectStore;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The parallel part pipeline of a base backup (issue 18): parts compressed and stored concurrently
 * come back in stream order, each one zstd frame that decompresses alone; the stream is held back once
 * the budget of parts in flight is spent; a part upload the store refuses as unavailable is tried
 * again; a part that fails for good fails the backup, is never counted stored, and nothing is left.
 */
class CompressedPartsTest {

    private static final int PART = 1024 * 1024;
    private static final BackupId BACKUP = BackupId.of(Instant.parse("2026-12-07T21:00:00Z"), "a1b2c3");

    private PartPipeline pipeline;

    @AfterEach
    void close() {
        if (pipeline != null) {
            pipeline.close();
        }
    }

    @Test
    void partsStoredInParallelComeBackInStreamOrderEachAFrameOfItsOwn() throws IOException {
        pipeline = new PartPipeline(2, 3, PART, Duration.ofMillis(10));
        InMemoryObjectStore store = new InMemoryObjectStore("bucket");
        byte[] tar = tarLike(7 * PART + 12_345);
        CompressedParts parts = new CompressedParts(store, BucketLayout.DEFAULT, BACKUP, 1, pipeline);
        writeInPieces(parts, tar);
        List<BackupManifest.Part> stored = parts.finish();

        assertEquals(8, stored.size());
        ByteArrayOutputStream whole = new ByteArrayOutputStream();
        for (int i = 0; i < stored.size(); i++) {
            BackupManifest.Part part = stored.get(i);
            assertEquals(BucketLayout.DEFAULT.backupPart(BACKUP, i + 1), part.key(), "manifest order is stream order");
            byte[] object = store.get(part.key());
            assertEquals(Sha256.of(object), part.sha256());
            assertEquals(object.length, part.storedBytes());
            byte[] raw = decompressAlone(object);
            assertEquals(i < 7 ? PART : 12_345, raw.length);
            assertEquals(raw.length, Zstd.getFrameContentSize(object), "the first frame holds the whole part: one frame per part");
            assertEquals(part.rawBytes().getAsLong(), raw.length);
            whole.write(raw);
        }
        assertArrayEquals(tar, whole.toByteArray(), "the parts in order are the stream");
        assertEquals(stored.stream().mapToLong(BackupManifest.Part::storedBytes).sum(), parts.storedBytes());
        assertEquals(0, pipeline.inFlight());
    }

    @Test
    void theStreamWaitsOnceThePartsInFlightAreSpentAndGoesOnWhenTheStoreConfirms() throws Exception {
        pipeline = new PartPipeline(2, 2, PART, Duration.ofMillis(10));
        GatedStore store = new GatedStore(new InMemoryObjectStore("bucket"));
        byte[] tar = tarLike(6 * PART);
        CompressedParts parts = new CompressedParts(store, BucketLayout.DEFAULT, BACKUP, 1, pipeline);
        AtomicLong accepted = new AtomicLong();
        Thread writer = new Thread(() -> {
            for (int offset = 0; offset < tar.length; offset += 64 * 1024) {
                parts.write(tar, offset, 64 * 1024);
                accepted.addAndGet(64 * 1024);
            }
        }, "test-writer");
        writer.start();

        // Two parts are held (uploading, blocked by the store); the third cannot start.
        awaitTrue(() -> store.waiting.get() == 2 && writerBlocked(writer), "two uploads waiting and the writer held");
        Thread.sleep(200);
        assertEquals(2 * PART, accepted.get(), "the stream stopped at the budget: 2 parts of raw bytes");
        assertEquals(2, pipeline.inFlight());
        assertTrue(store.maxConcurrent.get() <= 2);

        store.gate.countDown();
        writer.join(TimeUnit.SECONDS.toMillis(30));
        List<BackupManifest.Part> stored = parts.finish();
        assertEquals(6, stored.size());
        assertTrue(store.maxConcurrent.get() <= 2, "never more uploads than parts in flight: " + store.maxConcurrent.get());
        assertEquals(0, pipeline.inFlight());
    }

    @Test
    void aPartUploadTheStoreCannotTakeIsTriedAgainAndStoredOnce() {
        pipeline = new PartPipeline(2, 2, PART, Duration.ofMillis(10));
        InMemoryObjectStore store = new InMemoryObjectStore("bucket");
        store.failNext(InMemoryObjectStore.Operation.WRITE, 2);
        CompressedParts parts = new CompressedParts(store, BucketLayout.DEFAULT, BACKUP, 1, pipeline);
        writeInPieces(parts, tarLike(3 * PART));
        List<BackupManifest.Part> stored = parts.finish();

        assertEquals(3, stored.size());
        assertEquals(5, store.attempts(InMemoryObjectStore.Operation.WRITE), "3 parts, 2 of the attempts failed");
        for (BackupManifest.Part part : stored) {
            assertEquals(Sha256.of(store.get(part.key())), part.sha256());
        }
        assertEquals(3, store.keys().size());
    }

    @Test
    void aPartThatKeepsFailingFailsTheBackupIsNeverCountedStoredAndNothingIsLeft() {
        pipeline = new PartPipeline(1, 1, PART, Duration.ofMillis(10));
        InMemoryObjectStore store = new InMemoryObjectStore("bucket");
        // Part 1 stores; part 2 fails every attempt.
        CompressedParts parts = new CompressedParts(store, BucketLayout.DEFAULT, BACKUP, 1, pipeline);
        byte[] tar = tarLike(4 * PART);
        parts.write(tar, 0, PART);
        parts.write(tar, PART, 1);
        awaitTrue(() -> store.keys().size() == 1 && parts.storedBytes() > 0 && pipeline.inFlight() == 1, "part 1 stored");
        long storedBefore = parts.storedBytes();
        store.failNext(InMemoryObjectStore.Operation.WRITE, CompressedParts.UPLOAD_ATTEMPTS);

        RuntimeException failed = assertThrows(RuntimeException.class, () -> {
            parts.write(tar, PART + 1, 3 * PART - 1);
            parts.finish();
        });
        assertTrue(failed instanceof StorageException, failed.toString());
        assertTrue(failed.getMessage().contains(BucketLayout.DEFAULT.backupPart(BACKUP, 2)), failed.getMessage());
        assertEquals(storedBefore, parts.storedBytes(), "the failed part is not counted stored");

        parts.discard();
        assertEquals(List.of(), store.keys(), "the stored part is deleted with the failed backup");
        assertEquals(0, pipeline.inFlight(), "every place of the budget is given back");
    }

    @Test
    void aRefusalIsNotTriedAgain() {
        pipeline = new PartPipeline(1, 1, PART, Duration.ofMillis(10));
        InMemoryObjectStore store = new InMemoryObjectStore("bucket");
        store.failNext(InMemoryObjectStore.Operation.WRITE, 1,
                key -> new StorageException("refused", "bucket", key, false, null));
        CompressedParts parts = new CompressedParts(store, BucketLayout.DEFAULT, BACKUP, 1, pipeline);
        writeInPieces(parts, tarLike(PART / 2));
        assertThrows(StorageException.class, parts::finish);
        assertEquals(1, store.attempts(InMemoryObjectStore.Operation.WRITE));
        parts.discard();
        assertEquals(List.of(), store.keys());
    }

    private static void writeInPieces(CompressedParts parts, byte[] bytes) {
        Random random = new Random(7);
        for (int offset = 0; offset < bytes.length; ) {
            int n = Math.min(bytes.length - offset, 1 + random.nextInt(300_000));
            parts.write(bytes, offset, n);
            offset += n;
        }
    }

    /** Compressible but not trivial bytes, like pages of a table. */
    private static byte[] tarLike(int size) {
        byte[] bytes = new byte[size];
        Random random = new Random(size);
        for (int i = 0; i < size; i += 64) {
            int run = Math.min(64, size - i);
            if (random.nextInt(4) == 0) {
                byte[] noise = new byte[run];
                random.nextBytes(noise);
                System.arraycopy(noise, 0, bytes, i, run);
            } else {
                java.util.Arrays.fill(bytes, i, i + run, (byte) ('a' + random.nextInt(3)));
            }
        }
        return bytes;
    }

    /** The part on its own through a streaming decoder, which checks each frame's content checksum. */
    private static byte[] decompressAlone(byte[] object) throws IOException {
        try (InputStream in = new ZstdInputStream(new ByteArrayInputStream(object))) {
            return in.readAllBytes();
        }
    }

    private static boolean writerBlocked(Thread writer) {
        Thread.State state = writer.getState();
        return state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING;
    }

    private static void awaitTrue(java.util.function.BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 60 s: " + what);
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    /** A store whose puts wait at a gate, counting how many wait at once. */
    private static final class GatedStore implements ObjectStore {
        final InMemoryObjectStore inner;
        final CountDownLatch gate = new CountDownLatch(1);
        final AtomicInteger waiting = new AtomicInteger();
        final AtomicInteger maxConcurrent = new AtomicInteger();
        final AtomicInteger concurrent = new AtomicInteger();

        GatedStore(InMemoryObjectStore inner) {
            this.inner = inner;
        }

        @Override
        public String bucket() {
            return inner.bucket();
        }

        @Override
        public StoredObject put(String key, byte[] bytes, Map<String, String> metadata) {
            maxConcurrent.accumulateAndGet(concurrent.incrementAndGet(), Math::max);
            waiting.incrementAndGet();
            try {
                if (!gate.await(60, TimeUnit.SECONDS)) {
                    throw new AssertionError("gate never opened");
                }
                return inner.put(key, bytes, metadata);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            } finally {
                waiting.decrementAndGet();
                concurrent.decrementAndGet();
            }
        }

        @Override
        public StoredObject put(String key, Path file, Map<String, String> metadata) {
            return inner.put(key, file, metadata);
        }

        @Override
        public StoredObject putIfAbsentOrSame(String key, byte[] bytes, Map<String, String> metadata) {
            return inner.putIfAbsentOrSame(key, bytes, metadata);
        }

        @Override
        public MultipartUpload openMultipart(String key, Map<String, String> metadata) {
            return inner.openMultipart(key, metadata);
        }

        @Override
        public Optional<StoredObject> head(String key) {
            return inner.head(key);
        }

        @Override
        public byte[] get(String key) {
            return inner.get(key);
        }

        @Override
        public InputStream open(String key) {
            return inner.open(key);
        }

        @Override
        public byte[] getVerified(String key) {
            return inner.getVerified(key);
        }

        @Override
        public List<StoredObject> list(String prefix) {
            return inner.list(prefix);
        }

        @Override
        public void delete(String key) {
            inner.delete(key);
        }

        @Override
        public void deleteAll(Collection<String> keys) {
            inner.deleteAll(keys);
        }
    }
}
