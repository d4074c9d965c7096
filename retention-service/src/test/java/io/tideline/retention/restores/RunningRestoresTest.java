package io.tideline.retention.restores;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tideline.core.ids.BackupId;
import io.tideline.core.ids.InstanceId;
import io.tideline.retention.RestoreClaim;
import io.tideline.schemas.RestoreAccepted;
import io.tideline.schemas.RestoreFailed;
import io.tideline.schemas.RestoreProgress;
import io.tideline.schemas.RestorePhase;
import io.tideline.schemas.RestoreRejected;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class RunningRestoresTest {

    private static final InstanceId SOURCE = InstanceId.of("pg-1");
    private static final BackupId BACKUP = BackupId.parse("20261124T020000Z-abcd");
    private final RunningRestores restores = new RunningRestores();

    @Test
    void anAcceptedRestorePinsItsBackupUntilItEnds() {
        assertTrue(restores.apply(accepted("r1", BACKUP.value())));
        assertEquals(List.of(RestoreClaim.uses("r1", BACKUP)), restores.claims(SOURCE));
        assertTrue(restores.claims(InstanceId.of("pg-2")).isEmpty(), "claims are per source instance");

        assertFalse(restores.apply(accepted("r1", BACKUP.value())), "a redelivered event changes nothing");
        assertFalse(restores.apply(RestoreProgress.newBuilder().setEventId(UUID.randomUUID()).setInstanceId(SOURCE.value())
                .setOccurredAt(Instant.EPOCH).setRestoreId("r1").setPhase(RestorePhase.values()[0]).setBytesDone(1)
                .setBytesTotal(null).setWalSegmentsReplayed(0).setMessage(null).build()));

        assertTrue(restores.apply(RestoreFailed.newBuilder().setEventId(UUID.randomUUID()).setInstanceId(SOURCE.value())
                .setOccurredAt(Instant.EPOCH).setRestoreId("r1").setReason("disk full").setNewInstanceId(null).build()));
        assertTrue(restores.claims(SOURCE).isEmpty());
        assertFalse(restores.apply(accepted("r1", BACKUP.value())), "an ended restore never runs again");
        assertTrue(restores.claims(SOURCE).isEmpty());
    }

    @Test
    void aRejectedRestoreClaimsNothingAndAnUnnamedBackupPinsEverything() {
        restores.apply(RestoreRejected.newBuilder().setEventId(UUID.randomUUID()).setInstanceId(SOURCE.value())
                .setOccurredAt(Instant.EPOCH).setRestoreId("r2").setReason("outside the window").build());
        assertFalse(restores.apply(accepted("r2", BACKUP.value())));
        assertTrue(restores.claims(SOURCE).isEmpty());

        restores.apply(accepted("r3", "not-a-backup-id"));
        assertEquals(List.of(new RestoreClaim("r3", Optional.empty())), restores.claims(SOURCE),
                "a backup retention cannot name makes it wait rather than guess");
    }

    private static RestoreAccepted accepted(String restoreId, String backupId) {
        return RestoreAccepted.newBuilder().setEventId(UUID.randomUUID()).setInstanceId(SOURCE.value()).setOccurredAt(Instant.EPOCH)
                .setRestoreId(restoreId).setNewInstanceId("pg-1-restored").setBackupId(backupId)
                .setTarget("2026-11-24T03:00:00Z").build();
    }
}
