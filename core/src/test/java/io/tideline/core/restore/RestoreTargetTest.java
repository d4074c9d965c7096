package io.tideline.core.restore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tideline.core.ids.BackupId;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RestoreTargetTest {

    @ParameterizedTest
    @ValueSource(strings = {"latest", "LATEST", " Latest "})
    void latestInAnyCase(String text) {
        assertInstanceOf(RestoreTarget.Latest.class, RestoreTarget.parse(text));
        assertEquals("latest", RestoreTarget.parse(text).asEventText());
        assertTrue(RestoreTarget.parse(text).targetTime().isEmpty());
    }

    /** The CLI's {@code --to} refusals (it parses with this type too): each shows the format with an example. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "2026-11-05T10:15:30  | 2026-11-05T10:15:30Z",
            "yesterday            | 2026-11-24T08:15:30Z",
            "2026-13-05T10:15:30Z | 2026-11-24T08:15:30Z",
            "''                   | 2026-11-24T08:15:30Z",
    })
    void refusalsShowTheFormatWithAnExample(String text, String example) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RestoreTarget.parse(text), text);
        assertTrue(e.getMessage().contains(example), e.getMessage());
    }

    @Test
    void theFactoriesMakeWhatParseMakes() {
        assertEquals(RestoreTarget.parse("latest"), RestoreTarget.latest());
        assertEquals(RestoreTarget.parse("2026-11-05T10:15:30+01:00"), RestoreTarget.at(Instant.parse("2026-11-05T09:15:30Z")));
    }

    @ParameterizedTest
    @CsvSource({
            "2026-11-24T08:15:30Z,           2026-11-24T08:15:30Z",
            "2026-11-24T08:15:30.123456Z,    2026-11-24T08:15:30.123456Z",
            "2026-11-24T10:15:30+02:00,      2026-11-24T08:15:30Z",
            "2026-11-24T03:15:30-05:00,      2026-11-24T08:15:30Z",
            "2026-11-24T09:15:30+01:00[Europe/Paris], 2026-11-24T08:15:30Z",
    })
    void zonedTimesBecomeUtcInstants(String text, String utc) {
        RestoreTarget target = RestoreTarget.parse(text);
        assertEquals(Instant.parse(utc), target.targetTime().orElseThrow());
        assertEquals(utc, target.asEventText(), "events carry the normalized UTC instant");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "2026-11-24T08:15:30 | no time zone",
            "2026-11-24T08:15    | no time zone",
            "2026-11-24          | a date, not a moment",
            "yesterday           | not a time Tideline understands",
            "2026-11-24 08:15:30Z| not a time Tideline understands",
            "2026-13-01T00:00:00Z| not a time Tideline understands",
            "''                  | no target given",
    })
    void malformedOrAmbiguousTimesAreRefusedWithAReason(String text, String reason) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RestoreTarget.parse(text));
        assertTrue(e.getMessage().contains(reason), e.getMessage());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "lsn:0/3000028        | false | lsn:0/3000028 | true",
            "LSN: 16/B374D848     | false | lsn:16/B374D848 | true",
            "lsn:0/3000028        | true  | lsn:0/3000028 | false",
    })
    void lsnTargets(String text, boolean exclusive, String event, boolean inclusive) {
        RestoreTarget t = RestoreTarget.parse(text, exclusive);
        RestoreTarget.AtLsn at = assertInstanceOf(RestoreTarget.AtLsn.class, t);
        assertEquals(event, t.asEventText());
        assertEquals(inclusive, at.inclusive());
        assertEquals(exclusive, t.exclusive());
        assertEquals(t, RestoreTarget.parse(t.asEventText(), t.exclusive()), "the event text parses back to the same target");
    }

    @Test
    void xidTargetsKeepWhatWasAskedAndMatchTheLow32Bits() {
        RestoreTarget.AtXid x = assertInstanceOf(RestoreTarget.AtXid.class, RestoreTarget.parse("xid:4711", true));
        assertEquals(4711, x.xid());
        assertEquals(4711, x.walXid());
        assertFalse(x.inclusive());
        assertEquals("xid:4711", x.asEventText());
        assertEquals("xid:4711 (exclusive)", x.describe());
        RestoreTarget.AtXid epoch = assertInstanceOf(RestoreTarget.AtXid.class, RestoreTarget.parse("xid:" + ((1L << 32) + 900)));
        assertEquals(900, epoch.walXid(), "pg_current_xact_id() carries the epoch in its high bits; WAL the low 32");
        assertTrue(epoch.inclusive());
    }

    @Test
    void namedPointsAndImmediate() {
        RestoreTarget.AtName n = assertInstanceOf(RestoreTarget.AtName.class, RestoreTarget.parse("name:before-migration"));
        assertEquals("before-migration", n.name());
        assertEquals("name:before-migration", n.asEventText());
        RestoreTarget.Immediate newest = assertInstanceOf(RestoreTarget.Immediate.class, RestoreTarget.parse("Immediate"));
        assertTrue(newest.backup().isEmpty());
        assertEquals("immediate", newest.asEventText());
        RestoreTarget.Immediate named = assertInstanceOf(RestoreTarget.Immediate.class,
                RestoreTarget.parse("immediate:20261124T080102Z-3f9a"));
        assertEquals(BackupId.parse("20261124T080102Z-3f9a"), named.backup().orElseThrow());
        assertEquals(named, RestoreTarget.parse(named.asEventText()));
    }

    @Test
    void timesCanBeExclusiveToo() {
        RestoreTarget.AtTime t = assertInstanceOf(RestoreTarget.AtTime.class, RestoreTarget.parse("2026-11-24T08:15:30Z", true));
        assertFalse(t.inclusive());
        assertTrue(t.exclusive());
        assertTrue(RestoreTarget.parse("2026-11-24T08:15:30Z").exclusive() == false);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "lsn:zz               | false | 'lsn:zz' is not an LSN",
            "lsn:                 | false | is not an LSN",
            "lsn:0/1/2            | false | is not an LSN",
            "xid:abc              | false | 'xid:abc' is not a transaction id",
            "xid:-5               | false | is not a transaction id a transaction can have",
            "xid:2                | false | 0, 1 and 2 are reserved",
            "xid:                 | false | is not a transaction id",
            "name:                | false | a restore point needs a name",
            "name:has space       | false | may use only letters",
            "name:it's            | false | may use only letters",
            "immediate:last-one   | false | does not name a backup",
            "name:before          | true  | cannot be exclusive",
            "immediate            | true  | cannot be exclusive",
            "latest               | true  | cannot be exclusive",
            "0/3000028            | false | is not a time Tideline understands",
    })
    void malformedTargetsAreRefusedWithAReason(String text, boolean exclusive, String reason) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RestoreTarget.parse(text, exclusive));
        assertTrue(e.getMessage().contains(reason), e.getMessage());
    }

    @Test
    void aRestorePointNameLongerThanPostgresTakesIsRefused() {
        assertInstanceOf(RestoreTarget.AtName.class, RestoreTarget.parse("name:" + "a".repeat(63)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RestoreTarget.parse("name:" + "a".repeat(64)));
        assertTrue(e.getMessage().contains("too long"), e.getMessage());
    }
}
