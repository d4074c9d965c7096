package io.tideline.scheduler.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tideline.core.ids.InstanceId;
import java.time.LocalDate;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DailyCommandIdTest {

    @Test
    void printsAndParsesTheDocumentedForm() {
        DailyCommandId id = new DailyCommandId(InstanceId.of("orders-db"), LocalDate.of(2026, 3, 9));
        assertEquals("daily:orders-db:2026-03-09", id.toString());
        assertEquals(id, DailyCommandId.parse("daily:orders-db:2026-03-09"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"ondemand:orders-db:7f3a", "restore:r-1", "", "DAILY:orders-db:2026-03-09"})
    void otherKindsOfCommandAreNotDaily(String text) {
        assertEquals(Optional.empty(), DailyCommandId.tryParse(text));
        assertThrows(IllegalArgumentException.class, () -> DailyCommandId.parse(text));
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
        assertThrows(IllegalArgumentException.class, () -> DailyCommandId.tryParse(text));
    }

    @Test
    void tryParseOfNullIsEmpty() {
        assertTrue(DailyCommandId.tryParse(null).isEmpty());
    }

    @Test
    void ordersByDayThenInstance() {
        DailyCommandId a = DailyCommandId.parse("daily:zz-db:2026-03-08");
        DailyCommandId b = DailyCommandId.parse("daily:aa-db:2026-03-09");
        DailyCommandId c = DailyCommandId.parse("daily:bb-db:2026-03-09");
        assertTrue(a.compareTo(b) < 0);
        assertTrue(b.compareTo(c) < 0);
    }
}
