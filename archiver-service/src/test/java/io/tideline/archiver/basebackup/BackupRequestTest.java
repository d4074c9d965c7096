package io.tideline.archiver.basebackup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tideline.schemas.BackupCommand;
import io.tideline.schemas.BackupReason;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class BackupRequestTest {

    private static final Instant T = Instant.parse("2026-11-24T02:00:00Z");

    private static BackupCommand command(String instance, String commandId, BackupReason reason) {
        return BackupCommand.newBuilder().setEventId(UUID.randomUUID()).setInstanceId(instance).setOccurredAt(T)
                .setCommandId(commandId).setReason(reason).setRequestedBy("scheduler").setRequestedAt(T).build();
    }

    @Test
    void aDailyCommandOfItsOwnInstanceIsAccepted() {
        BackupRequest r = BackupRequest.from("pg-1", command("pg-1", "daily:pg-1:2026-11-24", BackupReason.DAILY));
        assertEquals("pg-1", r.instance().value());
        assertEquals("daily:pg-1:2026-11-24", r.commandId());
        assertEquals(BackupReason.DAILY, r.reason());
    }

    @Test
    void anOnDemandCommandMayHaveAnyPrintableId() {
        BackupRequest r = BackupRequest.from("pg-1", command("pg-1", "manual:4f1c2a", BackupReason.ON_DEMAND));
        assertEquals("manual:4f1c2a", r.commandId());
    }

    @Test
    void aDailyIdOfAnotherInstanceOrWithoutADateIsRefused() {
        IllegalArgumentException other = assertThrows(IllegalArgumentException.class,
                () -> BackupRequest.from("pg-1", command("pg-1", "daily:pg-2:2026-11-24", BackupReason.DAILY)));
        assertTrue(other.getMessage().contains("daily:pg-1:"), other.getMessage());
        IllegalArgumentException date = assertThrows(IllegalArgumentException.class,
                () -> BackupRequest.from("pg-1", command("pg-1", "daily:pg-1:yesterday", BackupReason.DAILY)));
        assertTrue(date.getMessage().contains("yesterday"), date.getMessage());
    }

    @Test
    void blankOrSpacedCommandIdsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> BackupRequest.from("pg-1", command("pg-1", "", BackupReason.ON_DEMAND)));
        assertThrows(IllegalArgumentException.class, () -> BackupRequest.from("pg-1", command("pg-1", "a b", BackupReason.ON_DEMAND)));
        assertThrows(IllegalArgumentException.class, () -> BackupRequest.from("pg-1", command("pg-1", "x".repeat(201), BackupReason.ON_DEMAND)));
    }

    @Test
    void theRecordKeyMustNameTheCommandsInstance() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BackupRequest.from("pg-2", command("pg-1", "manual:1", BackupReason.ON_DEMAND)));
        assertTrue(e.getMessage().contains("pg-2"), e.getMessage());
    }

    @Test
    void aMalformedInstanceIdIsRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> BackupRequest.from("Not An Id!", command("Not An Id!", "manual:1", BackupReason.ON_DEMAND)));
    }
}
