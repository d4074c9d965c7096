package io.tideline.testkit.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tideline.core.storage.MultipartUpload;
import io.tideline.core.storage.ObjectConflictException;
import io.tideline.core.storage.ObjectStore;
import io.tideline.core.storage.StorageAccessDeniedException;
import io.tideline.core.storage.StorageUnavailableException;
import io.tideline.core.storage.StoredObject;
import io.tideline.testkit.storage.InMemoryObjectStore.Operation;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** The shared contract for the in-memory store, plus its test aids: injected failures and attempt counts. */
class InMemoryObjectStoreTest extends ObjectStoreContract {

    private static final Instant NOW = Instant.parse("2026-12-01T10:15:30.250Z");

    private final InMemoryObjectStore store = new InMemoryObjectStore("tl-test", PART_SIZE, Clock.fixed(NOW, ZoneOffset.UTC));

    @Override
    protected ObjectStore store() {
        return store;
    }

    @Override
    protected void corruptBehindTheStoresBack(String key, byte[] replacement) {
        store.corrupt(key, replacement);
    }

    @Test
    void lastModifiedComesFromTheClockInWholeSecondsAsS3ReportsIt() {
        StoredObject stored = store.put(prefix + "t", new byte[3], Map.of());
        assertEquals(Instant.parse("2026-12-01T10:15:30Z"), stored.lastModified());
        assertEquals(stored.lastModified(), store.list(prefix).get(0).lastModified());
    }

    @Test
    void theNextWritesFailRetriablyAsInjectedAndStoreNothingThenWritesSucceedAgain() {
        String key = prefix + "wal/1";
        store.failNext(Operation.WRITE, 2);

        for (int i = 0; i < 2; i++) {
            StorageUnavailableException e = assertThrows(StorageUnavailableException.class,
                    () -> store.putIfAbsentOrSame(key, new byte[] {1}, Map.of()));
            assertTrue(e.isRetriable());
            assertEquals(Optional.of(key), e.key());
        }
        assertEquals(Optional.empty(), store.head(key), "a failed write stored nothing");

        store.put(key, new byte[] {1}, Map.of());
        assertEquals(3, store.attempts(Operation.WRITE));
        assertEquals(List.of(key), store.keys());
    }

    @Test
    void anInjectedFailureCanBePermanentAndAMultipartCompletionFailsLikeAnyWrite() {
        store.failNext(Operation.WRITE, 1, key -> new StorageAccessDeniedException("store", "tl-test", key, "AccessDenied", null));
        MultipartUpload upload = store.openMultipart(prefix + "m", Map.of());
        upload.write(new byte[10]);

        StorageAccessDeniedException e = assertThrows(StorageAccessDeniedException.class, upload::complete);
        assertFalse(e.isRetriable());
        assertThrows(IllegalStateException.class, () -> upload.write(new byte[1]), "a failed completion aborted the upload");
        assertEquals(List.of(), store.keys());
    }

    @Test
    void readsListsAndDeletesFailOnlyWhenTheirOwnKindIsTargeted() {
        String key = prefix + "r";
        store.put(key, new byte[] {7}, Map.of());
        store.failNext(Operation.READ, 1);
        store.failNext(Operation.LIST, 1);
        store.failNext(Operation.DELETE, 1);

        assertThrows(StorageUnavailableException.class, () -> store.get(key));
        assertArrayEquals(new byte[] {7}, store.get(key));
        assertThrows(StorageUnavailableException.class, () -> store.list(prefix));
        assertThrows(StorageUnavailableException.class, () -> store.delete(key));
        assertEquals(List.of(key), store.keys());
        store.clearFailures();
        store.delete(key);
        assertEquals(List.of(), store.keys());
    }

    @Test
    void bytesHandedInOrOutAreCopiesSoCallersCannotChangeWhatIsStored() {
        String key = prefix + "c";
        byte[] bytes = {1, 2, 3};
        store.put(key, bytes, Map.of());
        bytes[0] = 9;
        store.get(key)[1] = 9;
        assertArrayEquals(new byte[] {1, 2, 3}, store.getVerified(key));
    }

    @Test
    void concurrentIdempotentWritesOfDifferentBytesLeaveExactlyOneWinner() throws Exception {
        String key = prefix + "wal/raced";
        int writers = 8;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            List<Future<Boolean>> outcomes = new ArrayList<>();
            for (int i = 0; i < writers; i++) {
                byte[] bytes = {(byte) i};
                Callable<Boolean> write = () -> {
                    start.await();
                    try {
                        store.putIfAbsentOrSame(key, bytes, Map.of());
                        return true;
                    } catch (ObjectConflictException e) {
                        return false;
                    }
                };
                outcomes.add(pool.submit(write));
            }
            start.countDown();
            int winners = 0;
            for (Future<Boolean> outcome : outcomes) {
                winners += outcome.get() ? 1 : 0;
            }
            assertEquals(1, winners, "one writer stored, every other was refused");
        } finally {
            pool.shutdownNow();
        }
    }
}
