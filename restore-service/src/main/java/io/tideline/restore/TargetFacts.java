package io.tideline.restore;

import io.tideline.core.registry.RegisteredInstance;
import io.tideline.core.restore.RestorePoint;
import io.tideline.core.window.BucketInventory;
import io.tideline.core.window.RestorableWindow;
import java.util.Optional;

/**
 * What the validator needs to know about a source besides its bucket inventory, for targets that are not
 * times: where a transaction id ended, and where a named restore point is. Reads may throw a storage
 * exception (a bucket that cannot be read now is no reason to reject for good).
 */
public interface TargetFacts {

    /**
     * The commit or abort record of {@code walXid} in the source's stored WAL along {@code window}'s history,
     * from the oldest restorable backup's start to the end of the stored WAL; empty when there is none.
     */
    Optional<TransactionEnd> transactionEnd(RegisteredInstance source, BucketInventory inventory, RestorableWindow window,
                                            long walXid);

    /** The restore point {@code name} recorded for the source, if it was created (and not expired). */
    Optional<RestorePoint> restorePoint(RegisteredInstance source, String name);

    /** Knows no transaction and no restore point: for callers that never ask for those kinds. */
    static TargetFacts none() {
        return new TargetFacts() {
            @Override
            public Optional<TransactionEnd> transactionEnd(RegisteredInstance source, BucketInventory inventory,
                                                           RestorableWindow window, long walXid) {
                return Optional.empty();
            }

            @Override
            public Optional<RestorePoint> restorePoint(RegisteredInstance source, String name) {
                return Optional.empty();
            }
        };
    }
}
