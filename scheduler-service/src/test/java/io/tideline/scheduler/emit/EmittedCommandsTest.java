package io.tideline.scheduler.emit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tideline.core.ids.InstanceId;
import io.tideline.scheduler.plan.EmissionLedger;
import io.tideline.schemas.BackupCommand;
import io.tideline.schemas.BackupReason;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class EmittedCommandsTest {

    private final EmissionLedger ledger = new EmissionLedger();
    private final EmittedCommands emitted = new EmittedCommands(ledger);

    static BackupCommand command(String instance, String commandId, BackupReason reason) {
        Instant at = Instant.parse("2026-05-10T02:00:00Z");
        return new BackupCommand(UUID.randomUUID(), instance, at, commandId, reason, "someone", at);
    }

    @Test
    void dailyCommandsFromAnyoneMarkTheirDay() {
        emitted.apply(command("orders-db", "daily:orders-db:2026-05-10", BackupReason.DAILY));
        assertEquals(Optional.of(LocalDate.parse("2026-05-10")), ledger.lastEmitted(InstanceId.of("orders-db")));
    }

    @Test
    void otherKindsOfBackupDoNotReplaceTheDailyOne() {
        emitted.apply(command("orders-db", "4b1e2c1a-9c55-4d4e-9a39-0a6b7a1d2e3f", BackupReason.ON_DEMAND));
        emitted.apply(command("orders-db", "after-restore:r-17", BackupReason.AFTER_RESTORE));
        assertEquals(Optional.empty(), ledger.lastEmitted(InstanceId.of("orders-db")));
    }

    @Test
    void inconsistentDailyCommandsAreRejected() {
        assertThrows(IllegalArgumentException.class,
                () -> emitted.apply(command("billing", "daily:orders-db:2026-05-10", BackupReason.DAILY)));
        assertThrows(IllegalArgumentException.class,
                () -> emitted.apply(command("orders-db", "daily:orders-db:yesterday", BackupReason.DAILY)));
        assertEquals(0, ledger.size());
    }
}
