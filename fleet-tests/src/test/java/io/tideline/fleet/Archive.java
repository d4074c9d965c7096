package io.tideline.fleet;

import io.tideline.core.ids.InstanceId;
import io.tideline.core.inventory.BucketInventoryReader;
import io.tideline.core.storage.BucketLayout;
import io.tideline.core.storage.ObjectStores;
import io.tideline.core.wal.Lsn;
import io.tideline.core.wal.WalSegmentName;
import io.tideline.core.window.WalEntry;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.awaitility.Awaitility;

/** What an instance's bucket holds of its WAL, read by the test as a restore would read it. */
final class Archive {

    private final ObjectStores stores;

    Archive(ObjectStores stores) {
        this.stores = stores;
    }

    /** Read with the instance's own layout: its WAL segment size names the objects and their ends. */
    List<WalEntry> wal(InstanceId id, long segmentSize) {
        return new BucketInventoryReader(BucketLayout.forSegmentSize(segmentSize)).read(stores.forInstance(id)).inventory().wal();
    }

    /**
     * Waits until the bucket holds timeline 1's WAL from {@code from} to {@code to} without a hole: every
     * segment between, complete, and the last at least as a partial reaching {@code to}. Empty when it did;
     * else what is missing.
     */
    Optional<String> awaitContiguous(InstanceId id, Lsn from, Lsn to, long segmentSize, Duration timeout) {
        try {
            Awaitility.await().atMost(timeout).pollInterval(Duration.ofMillis(500)).until(() -> missing(id, from, to, segmentSize).isEmpty());
            return Optional.empty();
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            return missing(id, from, to, segmentSize);
        }
    }

    Optional<String> missing(InstanceId id, Lsn from, Lsn to, long segmentSize) {
        List<WalEntry> wal = wal(id, segmentSize).stream().filter(w -> w.timeline() == 1).toList();
        WalSegmentName first = WalSegmentName.of(1, from, segmentSize);
        WalSegmentName last = WalSegmentName.of(1, to.minus(1), segmentSize);
        for (long n = first.segmentNo(); n <= last.segmentNo(); n++) {
            long segmentNo = n;
            boolean isLast = n == last.segmentNo();
            boolean held = wal.stream().anyMatch(w -> w.segment().segmentNo() == segmentNo
                    && (!w.partial() || (isLast && !w.endLsn().isBefore(to))));
            if (!held) {
                return Optional.of("segment " + new WalSegmentName(1, n, segmentSize) + " of " + id + " is not stored"
                        + (isLast ? " up to " + to : "") + "; the bucket has " + wal.stream()
                        .filter(w -> w.segment().segmentNo() == segmentNo).map(w -> (w.partial() ? "a partial to " + w.endLsn() : "it complete"))
                        .toList());
            }
        }
        return Optional.empty();
    }
}
