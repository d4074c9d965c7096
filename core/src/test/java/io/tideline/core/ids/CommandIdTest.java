package io.tideline.core.ids;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tideline.core.wal.Lsn;
import java.time.LocalDate;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CommandIdTest {

    @Test
    void printsAndParsesTheDocumentedDailyForm() {
        CommandId.Daily id = CommandId.daily(InstanceId.of("orders-db"), LocalDate.of(2026, 3, 9));
        assertEquals("daily:orders-db:2026-03-09", id.toString());
        assertEquals("daily:orders-db:2026-03-09", id.value());
        assertEquals(id, CommandId.Daily.parse("daily:orders-db:2026-03-09"));
        assertEquals(id, CommandId.parse("daily:orders-db:2026-03-09"));
    }

    @Test
    void printsAndParsesTheOtherDocumentedForms() {
        UUID uuid = UUID.fromString("7f3a2c1e-0b4d-4e5f-8a9b-0c1d2e3f4a5b");
        assertEquals("ondemand:7f3a2c1e-0b4d-4e5f-8a9b-0c1d2e3f4a5b", CommandId.onDemand(uuid).value());
        assertEquals(CommandId.onDemand(uuid), CommandId.parse("ondemand:7f3a2c1e-0b4d-4e5f-8a9b-0c1d2e3f4a5b"));

        CommandId.AfterWalGap gap = CommandId.afterWalGap(InstanceId.of("pg-1"), 2, Lsn.parse("0/3000028"));
        assertEquals("wal-gap:pg-1:2:0/3000028", gap.value());
        assertEquals(gap, CommandId.parse("wal-gap:pg-1:2:0/3000028"));

        CommandId.AfterCorruption corrupt = CommandId.afterCorruption(InstanceId.of("pg-1"), 1, Lsn.parse("0/4000000"));
        assertEquals("corrupt:pg-1:1:0/4000000", corrupt.value());
        assertEquals(corrupt, CommandId.parse("corrupt:pg-1:1:0/4000000"));

        CommandId.RtoBudget rto = CommandId.rtoBudget(InstanceId.of("pg-1"), 1, Lsn.parse("0/2000028"), 2);
        assertEquals("rto:pg-1:1:0/2000028:2", rto.value());
        assertEquals(rto, CommandId.parse("rto:pg-1:1:0/2000028:2"));
        assertThrows(IllegalArgumentException.class, () -> CommandId.parse("rto:pg-1:1:0/2000028:0"), "attempts count from 1");
        assertThrows(IllegalArgumentException.class, () -> CommandId.parse("rto:pg-1:1:0/2000028"), "a malformed one of ours");

        CommandId.AfterRestore restore = CommandId.afterRestore(RestoreId.of("r-1"));
        assertEquals("restore:r-1", restore.value());
        assertEquals(restore, CommandId.parse("restore:r-1"));
    }

    @Test
    void aFreshOnDemandIdParsesBackToItself() {
        CommandId.OnDemand id = CommandId.newOnDemand();
        assertEquals(id, CommandId.parse(id.value()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"manual:4f1c2a", "c", "on-demand:pg-1:x", "DAILY:orders-db:2026-03-09", "Restore:x"})
    void idsOfOtherClientsAreKeptAsGiven(String text) {
        CommandId id = CommandId.parse(text);
        assertInstanceOf(CommandId.Custom.class, id);
        assertEquals(text, id.value());
    }

    @ParameterizedTest
    @ValueSource(strings = {"ondemand:orders-db:7f3a", "restore:r-1", "", "DAILY:orders-db:2026-03-09"})
    void otherKindsOfCommandAreNotDaily(String text) {
        assertEquals(Optional.empty(), CommandId.Daily.tryParse(text));
        assertThrows(IllegalArgumentException.class, () -> CommandId.Daily.parse(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "daily:orders-db",
            "daily:orders-db:2026-3-9",
            "daily:orders-db:2026-02-30",
            "daily:Orders:2026-03-09",
            "daily:orders-db:2026-03-09:x",
            "daily::2026-03-09",
    })
    void malformedDailyIdsFailLoudly(String text) {
        assertThrows(IllegalArgumentException.class, () -> CommandId.Daily.tryParse(text));
        assertThrows(IllegalArgumentException.class, () -> CommandId.parse(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "ondemand:", "ondemand:7f3a", "ondemand:7F3A2C1E-0B4D-4E5F-8A9B-0C1D2E3F4A5B",
            "wal-gap:pg-1:1", "wal-gap:pg-1:0:0/3000028", "wal-gap:pg-1:01:0/3000028", "wal-gap:pg-1:1:0/3000028x",
            "wal-gap:pg-1:1:0/03000028", "wal-gap:PG:1:0/3000028",
            "restore:", "restore:a b", "restore:-r",
            "corrupt:pg-1:1", "corrupt:pg-1:0:0/4000000", "corrupt:pg-1:1:0/04000000",
            "", "a b", "tab\tin", "é",
    })
    void malformedIdsOfTidelinesKindsAndNonTextFailLoudly(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CommandId.parse(text));
        assertTrue(e.getMessage().contains(text), e.getMessage());
    }

    @Test
    void longerThanTwoHundredCharactersIsRefused() {
        assertEquals("x".repeat(200), CommandId.parse("x".repeat(200)).value());
        assertThrows(IllegalArgumentException.class, () -> CommandId.parse("x".repeat(201)));
        assertThrows(IllegalArgumentException.class, () -> CommandId.parse(null));
    }

    @Test
    void aCustomIdCannotPoseAsOneOfTidelinesKinds() {
        assertThrows(IllegalArgumentException.class, () -> new CommandId.Custom("daily:orders-db:2026-03-09"));
    }

    @Test
    void tryParseOfNullIsEmpty() {
        assertTrue(CommandId.Daily.tryParse(null).isEmpty());
    }

    @Test
    void dailyIdsOrderByDayThenInstance() {
        CommandId.Daily a = CommandId.Daily.parse("daily:zz-db:2026-03-08");
        CommandId.Daily b = CommandId.Daily.parse("daily:aa-db:2026-03-09");
        CommandId.Daily c = CommandId.Daily.parse("daily:bb-db:2026-03-09");
        assertTrue(a.compareTo(b) < 0);
        assertTrue(b.compareTo(c) < 0);
    }
}
