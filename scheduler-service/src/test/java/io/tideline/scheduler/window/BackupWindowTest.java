package io.tideline.scheduler.window;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tideline.core.ids.InstanceId;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class BackupWindowTest {

    @ParameterizedTest
    @CsvSource({"00:00, 0", "02:30, 150", "23:59, 1439"})
    void parsesUtcTimeOfDay(String text, int minute) {
        BackupWindow window = BackupWindow.parse(text);
        assertEquals(minute, window.startMinute());
        assertEquals(text, window.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"24:00", "2:30", "02:60", "02:30Z", "", "noon"})
    void rejectsMalformedWindows(String text) {
        assertThrows(IllegalArgumentException.class, () -> BackupWindow.parse(text));
    }

    /**
     * Golden values, computed outside Java (Python hashlib: int.from_bytes(sha256(id)[:8], 'big') % 1440).
     * If this test fails, the spread hash changed: every instance's window would move at the upgrade.
     */
    @ParameterizedTest(name = "{0} -> {1} (whole day), {2} (22:00-04:00)")
    @CsvSource({
            "orders-db, 19:11, 23:11",
            "billing,   15:19, 01:19",
            "inst-0001, 14:41, 00:41",
            "a1b,       21:53, 01:53",
    })
    void spreadHashIsStable(String id, String wholeDay, String nightBand) {
        assertEquals(BackupWindow.parse(wholeDay), BackupWindow.spread(InstanceId.of(id), WindowBand.WHOLE_DAY));
        assertEquals(BackupWindow.parse(nightBand), BackupWindow.spread(InstanceId.of(id), WindowBand.parse("22:00-04:00")));
    }

    @Test
    void spreadOfAThousandInstancesIsRoughlyUniformOverTheDay() {
        int[] perHour = new int[24];
        Set<Integer> distinctMinutes = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            BackupWindow w = BackupWindow.spread(InstanceId.of(String.format("inst-%04d", i)), WindowBand.WHOLE_DAY);
            perHour[w.startMinute() / 60]++;
            distinctMinutes.add(w.startMinute());
        }
        double mean = 1000 / 24.0;
        for (int hour = 0; hour < 24; hour++) {
            // Deterministic input, so this cannot flake; the bounds are loose enough that any decent
            // hash passes and a broken one (constant, or only a few hours used) fails.
            assertTrue(perHour[hour] <= 3 * mean, "hour " + hour + " has " + perHour[hour] + " windows, mean " + mean);
            assertTrue(perHour[hour] >= mean / 3, "hour " + hour + " has only " + perHour[hour] + " windows, mean " + mean);
        }
        // 1000 balls in 1440 bins: ~720 distinct expected; a hash collapsing to few minutes fails this
        assertTrue(distinctMinutes.size() > 600, "only " + distinctMinutes.size() + " distinct minutes");
    }

    @Test
    void spreadStaysInsideTheAllowedBand() {
        WindowBand night = WindowBand.parse("22:00-04:00");
        WindowBand oneMinute = WindowBand.parse("03:17-03:18");
        for (int i = 0; i < 1000; i++) {
            InstanceId id = InstanceId.of("db-" + i);
            BackupWindow w = BackupWindow.spread(id, night);
            assertTrue(night.contains(w.startMinute()), id + " got " + w + " outside " + night);
            assertEquals(BackupWindow.parse("03:17"), BackupWindow.spread(id, oneMinute));
        }
    }

    @Test
    void startOnIsTheUtcMinuteOfThatDate() {
        assertEquals(Instant.parse("2026-03-29T02:30:00Z"), BackupWindow.parse("02:30").startOn(LocalDate.parse("2026-03-29")));
    }

    @ParameterizedTest(name = "window starts 24 h apart across {0}")
    @ValueSource(strings = {
            "2026-03-29", // EU spring forward (Europe/Berlin 02:00 -> 03:00)
            "2026-10-25", // EU fall back
            "2026-03-08", // US spring forward
            "2026-11-01", // US fall back
            "2028-02-29", // leap day
            "2026-12-31", // year end
    })
    void windowsAreExactly24HoursApartWhateverTheLocalDaylightSavingTime(String day) {
        LocalDate d = LocalDate.parse(day);
        for (int minute : new int[] {0, 60, 90, 150, 1439}) {
            BackupWindow w = new BackupWindow(minute);
            assertEquals(Duration.ofDays(1), Duration.between(w.startOn(d.minusDays(1)), w.startOn(d)));
            assertEquals(Duration.ofDays(1), Duration.between(w.startOn(d), w.startOn(d.plusDays(1))));
        }
    }

    @ParameterizedTest(name = "{0} at {1} -> {2}")
    @CsvSource({
            "02:00, 2026-05-10T01:59:59.999Z, 2026-05-09",
            "02:00, 2026-05-10T02:00:00Z,     2026-05-10",
            "02:00, 2026-05-10T23:59:59Z,     2026-05-10",
            "00:00, 2026-05-10T00:00:00Z,     2026-05-10",
            "00:00, 2026-05-09T23:59:59.999Z, 2026-05-09",
            "23:59, 2026-05-10T00:00:00Z,     2026-05-09",
            "23:59, 2026-05-10T23:59:00Z,     2026-05-10",
            "12:00, 2027-01-01T00:30:00Z,     2026-12-31",
    })
    void latestOpenedDayCountsTheExactWindowMinuteAsOpened(String window, String now, String expected) {
        assertEquals(LocalDate.parse(expected), BackupWindow.parse(window).latestOpenedDay(Instant.parse(now)));
    }
}
