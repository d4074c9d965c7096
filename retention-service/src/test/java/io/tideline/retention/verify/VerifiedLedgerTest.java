package io.tideline.retention.verify;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tideline.core.ids.InstanceId;
import io.tideline.core.verify.ObjectToVerify;
import io.tideline.core.verify.VerifiedObject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Issue 15: every object is re-read at least once per full pass; a damaged version is published once. */
class VerifiedLedgerTest {

    private static final InstanceId SHOP = InstanceId.of("shop");
    private static final Instant T0 = Instant.parse("2026-12-07T00:00:00Z");
    private static final ObjectToVerify WAL = new ObjectToVerify("wal/00000001/000000010000000000000004.zst",
            ObjectToVerify.Role.WAL, 100, T0, Optional.empty());

    private static VerifiedObject result(ObjectToVerify o, VerifiedObject.Outcome outcome) {
        return new VerifiedObject(o, outcome, Optional.empty(), Optional.empty(), "");
    }

    @Test
    void anObjectIsDueUntilReadThenAgainAFullPassLater() {
        VerifiedLedger ledger = new VerifiedLedger(Duration.ofDays(7));
        assertTrue(ledger.due(SHOP, WAL, T0), "never read");
        ledger.read(SHOP, List.of(result(WAL, VerifiedObject.Outcome.OK)), T0);
        assertFalse(ledger.due(SHOP, WAL, T0.plus(Duration.ofDays(7)).minusSeconds(1)));
        assertTrue(ledger.due(SHOP, WAL, T0.plus(Duration.ofDays(7))), "exactly a full pass later");
        ObjectToVerify replaced = new ObjectToVerify(WAL.key(), WAL.role(), 200, T0.plusSeconds(5), Optional.empty());
        assertTrue(ledger.due(SHOP, replaced, T0.plusSeconds(10)), "a new version is read at once");
    }

    @Test
    void aReadTheStoreFailedIsNotCountedAsRead() {
        VerifiedLedger ledger = new VerifiedLedger(Duration.ofDays(7));
        ledger.read(SHOP, List.of(result(WAL, VerifiedObject.Outcome.UNREADABLE)), T0);
        assertTrue(ledger.due(SHOP, WAL, T0.plusSeconds(1)));
    }

    @Test
    void aDamagedVersionIsReportedOnce() {
        VerifiedLedger ledger = new VerifiedLedger(Duration.ofDays(7));
        VerifiedObject damaged = result(WAL, VerifiedObject.Outcome.DAMAGED);
        assertTrue(ledger.firstReport(SHOP, damaged));
        assertFalse(ledger.firstReport(SHOP, damaged));
        assertTrue(ledger.firstReport(InstanceId.of("other"), damaged));
    }
}
