package io.tideline.archiver.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tideline.core.storage.BucketLayout;
import io.tideline.core.storage.ObjectStore;
import io.tideline.core.wal.Lsn;
import io.tideline.core.wal.TimelineHistory;
import io.tideline.core.wal.WalSegmentName;
import io.tideline.testkit.storage.InMemoryObjectStore;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Issue 18: a resuming stream reads the bucket from its slot's restart point on, not the whole
 * {@code wal/} prefix, and plans exactly what a whole listing would; when the listed part does not
 * reach the slot (a gap, a new slot) it falls back to the whole listing.
 */
class StoredWalTest {

    private static final long SEG = 1024 * 1024;
    private static final BucketLayout LAYOUT = BucketLayout.forSegmentSize(SEG);

    private final InMemoryObjectStore memory = new InMemoryObjectStore("tideline-stored-wal");
    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    /** The in-memory store, counting which listing calls reach it. */
    private final ObjectStore store = (ObjectStore) Proxy.newProxyInstance(getClass().getClassLoader(),
            new Class<?>[] {ObjectStore.class}, (proxy, method, args) -> {
                calls.computeIfAbsent(method.getName(), m -> new AtomicInteger()).incrementAndGet();
                try {
                    return method.invoke(memory, args);
                } catch (InvocationTargetException e) {
                    throw e.getCause();
                }
            });

    private void storeSegments(long timeline, long fromSegment, long toSegment) {
        for (long n = fromSegment; n <= toSegment; n++) {
            memory.put(LAYOUT.walSegment(new WalSegmentName(timeline, n, SEG)), new byte[] {1}, Map.of());
        }
    }

    private int count(String method) {
        return calls.getOrDefault(method, new AtomicInteger()).get();
    }

    private static StreamPlan plan(StoredWal stored, TimelineHistory history, Lsn slot) {
        return StreamPlanner.plan(stored, history, slot, Optional.empty(), SEG);
    }

    @Test
    void aSlotInTheMiddleOfAWeekOfWalListsOnlyFromTheSegmentBeforeIt() {
        storeSegments(1, 1, 500);
        Lsn slot = new Lsn(501 * SEG + 100); // the server keeps WAL from segment 501 on
        TimelineHistory history = TimelineHistory.initial();

        StoredWal narrow = StoredWal.readFrom(store, LAYOUT, history, slot);

        assertEquals(0, count("list"), "no listing of the whole prefix");
        assertEquals(1, count("listAfter"));
        assertEquals(java.util.Set.of(new WalSegmentName(1, 500, SEG)), narrow.complete());
        assertEquals(plan(StoredWal.read(memory, LAYOUT), history, slot), plan(narrow, history, slot), "the same plan");
    }

    @Test
    void storedWalThatDoesNotReachTheSlotFallsBackToTheWholeListingSoTheGapIsFound() {
        storeSegments(1, 1, 300);
        Lsn slot = new Lsn(501 * SEG); // a slot made again after invalidation: WAL 301..500 is gone
        TimelineHistory history = TimelineHistory.initial();

        StoredWal stored = StoredWal.readFrom(store, LAYOUT, history, slot);

        assertEquals(1, count("list"), "fell back to the whole listing");
        StreamPlan plan = plan(stored, history, slot);
        assertEquals(new Lsn(301 * SEG), plan.start(), "resumes after the last stored segment, where the server reports the gap");
    }

    @Test
    void historyFilesOfEarlierTimelinesAreLookedUpOneByOne() {
        TimelineHistory history = TimelineHistory.parse(2, "1\t0/C8000A0\tno recovery target specified\n");
        memory.put(LAYOUT.timelineHistory(2), history.format().getBytes(java.nio.charset.StandardCharsets.UTF_8), Map.of());
        storeSegments(1, 1, 199);
        memory.put(LAYOUT.walSegment(new WalSegmentName(2, 200, SEG)), new byte[] {1}, Map.of());
        storeSegments(2, 201, 400);
        Lsn slot = new Lsn(401 * SEG);

        StoredWal narrow = StoredWal.readFrom(store, LAYOUT, history, slot);

        assertEquals(0, count("list"));
        assertEquals(java.util.Set.of(2L), narrow.histories(), "its history is known stored, not stored again");
        assertEquals(plan(StoredWal.read(memory, LAYOUT), history, slot), plan(narrow, history, slot));
    }
}
