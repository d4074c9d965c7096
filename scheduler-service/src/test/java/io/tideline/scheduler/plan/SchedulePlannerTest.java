package io.tideline.scheduler.plan;

import io.tideline.core.ids.CommandId;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tideline.core.ids.InstanceId;
import io.tideline.testkit.time.MutableClock;
import io.tideline.scheduler.window.BackupWindow;
import io.tideline.scheduler.window.WindowBand;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SchedulePlannerTest {

    private static final InstanceId DB = InstanceId.of("orders-db");
    private static final String LONG_AGO = "2026-01-01T00:00:00Z";

    /**
     * One row: instance window, when it was registered, the last day emitted ("-" for none), now,
     * and the command expected ("-" for none).
     */
    static Stream<Arguments> cases() {
        return Stream.of(
                row("one ms before the window", "02:00", LONG_AGO, "2026-05-09", "2026-05-10T01:59:59.999Z", "-"),
                row("exactly at the window", "02:00", LONG_AGO, "2026-05-09", "2026-05-10T02:00:00Z", "daily:orders-db:2026-05-10"),
                row("later that day, still not emitted", "02:00", LONG_AGO, "2026-05-09", "2026-05-10T23:59:59.999Z", "daily:orders-db:2026-05-10"),
                row("already emitted today", "02:00", LONG_AGO, "2026-05-10", "2026-05-10T02:00:30Z", "-"),
                row("rollover at UTC midnight, window not open yet", "02:00", LONG_AGO, "2026-05-10", "2026-05-11T00:00:00Z", "-"),
                row("window at midnight opens at the rollover", "00:00", LONG_AGO, "2026-05-10", "2026-05-11T00:00:00Z", "daily:orders-db:2026-05-11"),
                row("window at midnight, one ms before", "00:00", LONG_AGO, "2026-05-10", "2026-05-10T23:59:59.999Z", "-"),
                row("late-evening window belongs to the day it opened", "23:59", LONG_AGO, "2026-05-09", "2026-05-11T00:00:10Z", "daily:orders-db:2026-05-10"),
                row("year rollover", "23:30", LONG_AGO, "2026-12-30", "2027-01-01T00:10:00Z", "daily:orders-db:2026-12-31"),
                row("down over yesterday's window, back before today's: catch up yesterday", "02:00", LONG_AGO, "2026-05-08", "2026-05-10T01:00:00Z", "daily:orders-db:2026-05-09"),
                row("down three days, back after today's window: only today", "02:00", LONG_AGO, "2026-05-06", "2026-05-10T03:00:00Z", "daily:orders-db:2026-05-10"),
                row("down three days, back before today's window: only yesterday", "02:00", LONG_AGO, "2026-05-06", "2026-05-10T01:00:00Z", "daily:orders-db:2026-05-09"),
                row("never emitted, registered long ago: latest window", "02:00", LONG_AGO, "-", "2026-05-10T05:00:00Z", "daily:orders-db:2026-05-10"),
                row("registered after today's window: wait for tomorrow", "02:00", "2026-05-10T02:00:00.001Z", "-", "2026-05-10T05:00:00Z", "-"),
                row("registered after today's window: tomorrow's is due", "02:00", "2026-05-10T02:00:00.001Z", "-", "2026-05-11T02:00:00Z", "daily:orders-db:2026-05-11"),
                row("registered exactly at the window: owed that window", "02:00", "2026-05-10T02:00:00Z", "-", "2026-05-10T02:00:00Z", "daily:orders-db:2026-05-10"),
                row("registered before the window the same day", "02:00", "2026-05-10T01:00:00Z", "-", "2026-05-10T02:00:00Z", "daily:orders-db:2026-05-10"),
                row("registered yesterday after the window, scheduler down since: catch up today's only when open", "02:00", "2026-05-09T03:00:00Z", "-", "2026-05-10T01:59:00Z", "-"),
                row("ledger ahead of the clock (other replica's clock ahead): nothing", "02:00", LONG_AGO, "2026-05-11", "2026-05-10T03:00:00Z", "-"),
                row("leap day", "06:00", LONG_AGO, "2028-02-28", "2028-02-29T06:00:00Z", "daily:orders-db:2028-02-29"));
    }

    private static Arguments row(String name, String window, String registeredAt, String lastEmitted, String now, String expected) {
        return Arguments.of(name, window, registeredAt, lastEmitted, now, expected);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void decidesWhatIsDue(String name, String window, String registeredAt, String lastEmitted, String now, String expected) {
        EmissionLedger ledger = new EmissionLedger();
        if (!lastEmitted.equals("-")) {
            ledger.record(new CommandId.Daily(DB, LocalDate.parse(lastEmitted)));
        }
        ScheduledInstance instance = new ScheduledInstance(DB, BackupWindow.parse(window), Instant.parse(registeredAt));

        List<DueBackup> due = new SchedulePlanner(MutableClock.at(now)).due(List.of(instance), ledger);

        List<String> ids = due.stream().map(d -> d.commandId().toString()).toList();
        assertEquals(expected.equals("-") ? List.of() : List.of(expected), ids);
        due.forEach(d -> assertEquals(BackupWindow.parse(window).startOn(d.commandId().day()), d.windowStart()));
    }

    @Test
    void theClocksZoneIsIgnoredOnlyUtcDatesCount() {
        // 2026-11-01T03:30Z is still 31 October in New York (and the US leaves DST that night)
        // and already 04:30 in Berlin: the command must name the UTC date in every case.
        ScheduledInstance instance = new ScheduledInstance(DB, BackupWindow.parse("03:30"), Instant.parse(LONG_AGO));
        MutableClock utc = MutableClock.at("2026-11-01T03:30:00Z");
        for (Clock clock : List.of(utc, utc.withZone(ZoneId.of("America/New_York")), utc.withZone(ZoneId.of("Europe/Berlin")),
                utc.withZone(ZoneId.of("Pacific/Kiritimati")))) {
            List<DueBackup> due = new SchedulePlanner(clock).due(List.of(instance), new EmissionLedger());
            assertEquals(List.of("daily:orders-db:2026-11-01"), due.stream().map(d -> d.commandId().toString()).toList(), clock.getZone().toString());
        }
    }

    @Test
    void latenessTellsACatchUpFromAnOnTimeCommand() {
        ScheduledInstance instance = new ScheduledInstance(DB, BackupWindow.parse("02:00"), Instant.parse(LONG_AGO));
        MutableClock clock = MutableClock.at("2026-05-10T01:00:00Z");
        DueBackup catchUp = new SchedulePlanner(clock).due(List.of(instance), new EmissionLedger()).get(0);
        assertEquals(Duration.ofHours(23), catchUp.lateness(clock.instant()));
    }

    @Test
    void ordersDueCommandsByWindowThenInstance() {
        List<ScheduledInstance> registry = List.of(
                new ScheduledInstance(InstanceId.of("zz-db"), BackupWindow.parse("01:00"), Instant.parse(LONG_AGO)),
                new ScheduledInstance(InstanceId.of("bb-db"), BackupWindow.parse("03:00"), Instant.parse(LONG_AGO)),
                new ScheduledInstance(InstanceId.of("aa-db"), BackupWindow.parse("03:00"), Instant.parse(LONG_AGO)),
                new ScheduledInstance(InstanceId.of("later-db"), BackupWindow.parse("05:00"), Instant.parse(LONG_AGO)));
        List<DueBackup> due = new SchedulePlanner(MutableClock.at("2026-05-10T04:00:00Z")).due(registry, new EmissionLedger());
        // later-db's latest opened window is yesterday 05:00: the oldest, so the most overdue, goes first
        assertEquals(List.of("daily:later-db:2026-05-09", "daily:zz-db:2026-05-10", "daily:aa-db:2026-05-10", "daily:bb-db:2026-05-10"),
                due.stream().map(d -> d.commandId().toString()).toList());
    }

    /**
     * A fleet over 10 days, ticking every 30 s, with an outage over several windows and two replicas
     * that share nothing but the command topic: every instance gets exactly one command id per day,
     * each on time (within one tick of its window) except the days the outage covered.
     */
    @Test
    void simulatedFleetGetsOneCommandPerInstanceDayAcrossOutageAndReplicas() {
        List<ScheduledInstance> fleet = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            InstanceId id = InstanceId.of(String.format("db-%02d", i));
            fleet.add(new ScheduledInstance(id, BackupWindow.spread(id, WindowBand.WHOLE_DAY), Instant.parse("2026-05-01T00:00:00Z")));
        }
        Instant start = Instant.parse("2026-05-01T00:00:00Z");
        Instant end = Instant.parse("2026-05-11T00:00:00Z");
        Instant outageFrom = Instant.parse("2026-05-04T06:00:00Z");
        Instant outageTo = Instant.parse("2026-05-06T18:00:00Z"); // covers 2.5 days of windows
        Duration tick = Duration.ofSeconds(30);

        MutableClock clock = new MutableClock(start);
        SchedulePlanner planner = new SchedulePlanner(clock);
        // each replica has its own ledger, fed from the shared topic (everything emitted by anyone)
        List<EmissionLedger> replicas = List.of(new EmissionLedger(), new EmissionLedger());
        List<CommandId.Daily> topic = new ArrayList<>();
        Map<CommandId.Daily, Instant> firstEmittedAt = new HashMap<>();

        for (Instant t = start; t.isBefore(end); t = t.plus(tick)) {
            clock.set(t);
            if (!t.isBefore(outageFrom) && t.isBefore(outageTo)) {
                continue;
            }
            List<CommandId.Daily> sentThisTick = new ArrayList<>();
            for (EmissionLedger ledger : replicas) {
                for (DueBackup due : planner.due(fleet, ledger)) {
                    sentThisTick.add(due.commandId());
                    firstEmittedAt.putIfAbsent(due.commandId(), t);
                    ledger.record(due.commandId()); // a replica knows its own sends at once
                }
            }
            topic.addAll(sentThisTick);
            // both replicas read the topic before their next tick
            sentThisTick.forEach(id -> replicas.forEach(l -> l.record(id)));
        }

        Set<CommandId.Daily> distinct = new HashSet<>(topic);
        for (ScheduledInstance instance : fleet) {
            List<LocalDate> days = distinct.stream().filter(c -> c.instance().equals(instance.id()))
                    .map(CommandId.Daily::day).sorted().toList();
            // May 1..10, minus the windows missed in the outage except the latest missed one
            List<LocalDate> expected = new ArrayList<>();
            for (LocalDate d = LocalDate.parse("2026-05-01"); d.isBefore(LocalDate.parse("2026-05-11")); d = d.plusDays(1)) {
                boolean missed = !instance.window().startOn(d).isBefore(outageFrom) && instance.window().startOn(d).isBefore(outageTo);
                // of the missed windows only the latest is caught up: the one whose successor opens after the outage
                boolean latestMissed = missed && instance.window().startOn(d.plusDays(1)).isAfter(outageTo);
                if (!missed || latestMissed) {
                    expected.add(d);
                }
            }
            assertEquals(expected, days, instance.id() + " window " + instance.window());
        }
        for (Map.Entry<CommandId.Daily, Instant> e : firstEmittedAt.entrySet()) {
            Instant window = fleet.stream().filter(f -> f.id().equals(e.getKey().instance())).findFirst().orElseThrow()
                    .window().startOn(e.getKey().day());
            Duration late = Duration.between(window, e.getValue());
            assertTrue(!late.isNegative(), e.getKey() + " emitted before its window");
            boolean inOutage = !window.isBefore(outageFrom) && window.isBefore(outageTo);
            if (inOutage) {
                assertEquals(outageTo, e.getValue(), e.getKey() + " caught up at the first tick after the outage");
            } else {
                assertTrue(late.compareTo(tick) < 0, e.getKey() + " emitted " + late + " late");
            }
        }
        // same tick, two replicas: the same id may be sent twice, never two ids for one instance-day
        assertTrue(topic.size() >= distinct.size());
    }
}
