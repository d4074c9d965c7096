package io.tideline.scheduler.plan;

import io.tideline.core.ids.CommandId;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tideline.core.ids.InstanceId;
import java.time.LocalDate;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class EmissionLedgerTest {

    @Test
    void keepsTheLatestDayWhateverTheOrderCommandsAreReadIn() {
        EmissionLedger ledger = new EmissionLedger();
        InstanceId db = InstanceId.of("orders-db");
        assertEquals(Optional.empty(), ledger.lastEmitted(db));

        ledger.record(CommandId.Daily.parse("daily:orders-db:2026-03-09"));
        ledger.record(CommandId.Daily.parse("daily:orders-db:2026-03-07"));
        ledger.record(CommandId.Daily.parse("daily:other-db:2026-03-10"));

        assertEquals(Optional.of(LocalDate.parse("2026-03-09")), ledger.lastEmitted(db));
        assertEquals(Optional.of(LocalDate.parse("2026-03-10")), ledger.lastEmitted(InstanceId.of("other-db")));
        assertEquals(2, ledger.size());
    }
}
