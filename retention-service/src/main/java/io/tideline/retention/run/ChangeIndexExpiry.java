package io.tideline.retention.run;

import io.tideline.core.storage.BucketLayout;
import io.tideline.core.storage.ObjectKind;
import io.tideline.core.storage.ObjectStore;
import io.tideline.core.storage.StoredObject;
import java.time.Instant;
import java.util.List;

/**
 * The undo finder's objects expire with the WAL they describe: a WAL object's change index
 * ({@code changes/…}) is deleted just before the WAL object itself, so an index never names a transaction
 * whose WAL is gone; catalog snapshots ({@code catalog/…}) that only older WAL could need go once WAL expired,
 * keeping the newest (the index holds its names already; the snapshots are kept for reading it again).
 */
final class ChangeIndexExpiry {

    private final BucketLayout layout;

    ChangeIndexExpiry(BucketLayout layout) {
        this.layout = layout;
    }

    /** The index objects to delete before the WAL object at {@code walKey} (none for anything else). */
    List<String> indexKeysBefore(String walKey) {
        ObjectKind kind = layout.parse(walKey);
        if (kind instanceof ObjectKind.WalSegment s) {
            return List.of(layout.changeIndex(s.segment(), true), layout.changeIndex(s.segment(), false));
        }
        if (kind instanceof ObjectKind.WalPartial p) {
            return List.of(layout.changeIndex(p.segment(), true));
        }
        return List.of();
    }

    /** Deletes the catalog snapshots written before {@code cutoff}, except the newest snapshot of all; returns how many. */
    int expireCatalogSnapshots(ObjectStore store, Instant cutoff) {
        List<StoredObject> snapshots = store.list(layout.catalogPrefix()).stream()
                .filter(o -> layout.parse(o.key()) instanceof ObjectKind.CatalogSnapshot).toList();
        int deleted = 0;
        for (int i = 0; i < snapshots.size() - 1; i++) { // key order is LSN order: the last one is the newest
            if (snapshots.get(i).lastModified().isBefore(cutoff)) {
                store.delete(snapshots.get(i).key());
                deleted++;
            }
        }
        return deleted;
    }
}
