package io.tideline.core.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tideline.core.ids.CommandId;
import io.tideline.core.ids.InstanceId;
import io.tideline.core.ids.RestoreId;
import io.tideline.core.wal.Lsn;
import io.tideline.schemas.BackupCommand;
import io.tideline.schemas.BackupReason;
import java.time.Instant;
import java.time.LocalDate;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class BackupCommandsTest {

    private static final InstanceId PG = InstanceId.of("pg-1");
    private static final Instant NOW = Instant.parse("2026-11-24T08:00:00Z");
    private static final UUID EVENT = UUID.fromString("00000000-0000-0000-0000-000000000001");

    @Test
    void carriesTheIdItsKindsReasonAndOneMoment() {
        BackupCommand c = BackupCommands.command(EVENT, PG, CommandId.daily(PG, LocalDate.of(2026, 11, 24)), "scheduler", NOW);
        assertEquals(EVENT, c.getEventId());
        assertEquals("pg-1", c.getInstanceId());
        assertEquals("daily:pg-1:2026-11-24", c.getCommandId());
        assertEquals(BackupReason.DAILY, c.getReason());
        assertEquals("scheduler", c.getRequestedBy());
        assertEquals(NOW, c.getOccurredAt());
        assertEquals(NOW, c.getRequestedAt());
    }

    @Test
    void eachKindHasItsReason() {
        assertEquals(BackupReason.DAILY, BackupCommands.reasonOf(CommandId.daily(PG, LocalDate.of(2026, 1, 1))));
        assertEquals(BackupReason.ON_DEMAND, BackupCommands.reasonOf(CommandId.newOnDemand()));
        assertEquals(BackupReason.AFTER_WAL_GAP, BackupCommands.reasonOf(CommandId.afterWalGap(PG, 1, Lsn.parse("0/3000000"))));
        assertEquals(BackupReason.AFTER_RESTORE, BackupCommands.reasonOf(CommandId.afterRestore(RestoreId.of("r-1"))));
        assertEquals(BackupReason.AFTER_CORRUPTION, BackupCommands.reasonOf(CommandId.afterCorruption(PG, 1, Lsn.parse("0/4000000"))));
        assertThrows(IllegalArgumentException.class, () -> BackupCommands.reasonOf(CommandId.parse("manual:1")));
    }

    @Test
    void anIdNamingAnotherInstanceIsRefused() {
        InstanceId other = InstanceId.of("pg-2");
        assertThrows(IllegalArgumentException.class,
                () -> BackupCommands.command(EVENT, PG, CommandId.daily(other, LocalDate.of(2026, 1, 1)), "s", NOW));
        assertThrows(IllegalArgumentException.class,
                () -> BackupCommands.command(EVENT, PG, CommandId.afterWalGap(other, 1, Lsn.parse("0/3000000")), "s", NOW));
    }
}
