package io.tideline.restore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tideline.core.ids.RestoreId;
import io.tideline.schemas.RestoreAccepted;
import io.tideline.schemas.RestoreFailed;
import io.tideline.schemas.RestorePhase;
import io.tideline.schemas.RestoreProgress;
import io.tideline.schemas.RestoreRejected;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class RestoreLedgerTest {

    private static final Instant T0 = Instant.parse("2026-11-24T08:00:00Z");

    @Test
    void acceptedIsUnfinishedUntilItsEndAndProgressKeepsItFresh() {
        RestoreLedger ledger = new RestoreLedger();
        ledger.apply(accepted("r1", T0));
        assertEquals(1, ledger.unfinished().size());
        ledger.apply(progress("r1", T0.plusSeconds(10)));
        assertEquals(T0.plusSeconds(10), ledger.find(RestoreId.of("r1")).orElseThrow().lastEventAt());
        ledger.apply(progress("r1", T0.plusSeconds(5)));
        assertEquals(T0.plusSeconds(10), ledger.find(RestoreId.of("r1")).orElseThrow().lastEventAt(), "time never goes back");

        ledger.apply(failed("r1", T0.plusSeconds(20)));
        RestoreLedger.Entry entry = ledger.find(RestoreId.of("r1")).orElseThrow();
        assertEquals(RestoreLedger.Status.FAILED, entry.status());
        assertEquals(Optional.of("20261124T080000Z-abcd"), entry.backupId(), "what Accepted knew is kept");
        assertEquals(Optional.of("src-r-1"), entry.newInstance());
        assertTrue(ledger.unfinished().isEmpty());
    }

    @Test
    void aFinishedRestoreStaysFinishedWhateverTheReplayOrder() {
        RestoreLedger ledger = new RestoreLedger();
        ledger.apply(failed("r2", T0.plusSeconds(20)));
        ledger.apply(accepted("r2", T0));
        ledger.apply(progress("r2", T0.plusSeconds(30)));
        assertEquals(RestoreLedger.Status.FAILED, ledger.find(RestoreId.of("r2")).orElseThrow().status());
        assertTrue(ledger.unfinished().isEmpty());
    }

    @Test
    void rejectedIsKnownAndFinished() {
        RestoreLedger ledger = new RestoreLedger();
        ledger.apply(RestoreRejected.newBuilder().setEventId(UUID.randomUUID()).setInstanceId("src").setOccurredAt(T0)
                .setRestoreId("r3").setReason("why").build());
        assertEquals(RestoreLedger.Status.REJECTED, ledger.find(RestoreId.of("r3")).orElseThrow().status());
        assertTrue(ledger.find(RestoreId.of("other")).isEmpty());
    }

    private static RestoreAccepted accepted(String id, Instant at) {
        return RestoreAccepted.newBuilder().setEventId(UUID.randomUUID()).setInstanceId("src").setOccurredAt(at)
                .setRestoreId(id).setNewInstanceId("src-r-1").setBackupId("20261124T080000Z-abcd").setTarget("latest").build();
    }

    private static RestoreProgress progress(String id, Instant at) {
        return RestoreProgress.newBuilder().setEventId(UUID.randomUUID()).setInstanceId("src").setOccurredAt(at)
                .setRestoreId(id).setPhase(RestorePhase.REPLAYING_WAL).setBytesDone(1).setWalSegmentsReplayed(1).build();
    }

    private static RestoreFailed failed(String id, Instant at) {
        return RestoreFailed.newBuilder().setEventId(UUID.randomUUID()).setInstanceId("src").setOccurredAt(at)
                .setRestoreId(id).setReason("because").build();
    }
}
