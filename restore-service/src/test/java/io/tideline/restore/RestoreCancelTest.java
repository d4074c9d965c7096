package io.tideline.restore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tideline.core.ids.RestoreId;
import io.tideline.schemas.RestorePhase;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A cancel stops a restore at its next step or count, with a reason that names who cancelled it. */
class RestoreCancelTest {

    @Test
    void aCancelledRestoreFailsAtItsNextStepOrCount() {
        RestoreTracker tracker = new RestoreTracker(RestoreId.of("r-1"), "orders");
        tracker.enter(RestorePhase.RESTORING_BACKUP, 100L, "downloading");
        tracker.bytes(10);
        tracker.cancel("cli:alice");
        assertEquals(Optional.of("cli:alice"), tracker.cancelledBy());
        assertEquals("cancelled by cli:alice", assertThrows(RestoreFailure.class, () -> tracker.bytes(20)).getMessage());
        assertThrows(RestoreFailure.class, () -> tracker.walSegments(1));
        assertThrows(RestoreFailure.class, () -> tracker.enter(RestorePhase.REPLAYING_WAL, null, "replaying"));
        tracker.snapshot(java.time.Instant.EPOCH); // progress can still be published while it stops
    }
}
