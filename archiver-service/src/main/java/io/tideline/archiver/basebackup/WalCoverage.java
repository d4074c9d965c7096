package io.tideline.archiver.basebackup;

import io.tideline.core.ids.BackupId;
import io.tideline.core.inventory.BucketInventoryReader;
import io.tideline.core.storage.BucketLayout;
import io.tideline.core.storage.ObjectStore;
import io.tideline.core.window.BucketInventory;
import io.tideline.core.window.RestorableWindow;
import io.tideline.core.window.UnusableBackup;

/**
 * Is a stored backup restorable yet, i.e. is the WAL from its start LSN to its end LSN stored too?
 * Judged from the BUCKET, the source of truth, never from what this process remembers: the bucket is
 * read with core's {@link BucketInventoryReader} and judged by core's {@link RestorableWindow}, the
 * same two steps the restore service and retention take, so "completed" here means exactly
 * "restorable" there (complete segments, or a partial whose recorded end reaches far enough, along the
 * instance's timeline history).
 */
final class WalCoverage {

    /** The outcome: {@code restorable}, or what is missing. */
    record Result(boolean restorable, String missing) {
        static Result ok() {
            return new Result(true, "");
        }
    }

    private WalCoverage() {
    }

    /** Reads the bucket and decides. Storage errors propagate (an unreadable bucket proves nothing). */
    static Result check(ObjectStore store, BucketLayout layout, BackupId backup) {
        return evaluate(new BucketInventoryReader(layout).read(store).inventory(), backup);
    }

    /** The decision on a given inventory (pure). */
    static Result evaluate(BucketInventory inventory, BackupId backup) {
        if (inventory.backup(backup).isEmpty()) {
            return new Result(false, "the bucket holds no readable manifest of backup " + backup);
        }
        RestorableWindow window = RestorableWindow.of(inventory);
        if (window.restorableBackups().stream().anyMatch(r -> r.backup().id().equals(backup))) {
            return Result.ok();
        }
        return new Result(false, window.unusableBackups().stream().filter(u -> u.backup().id().equals(backup))
                .map(UnusableBackup::reason).findFirst().orElse("not restorable"));
    }
}
