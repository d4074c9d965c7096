package io.tideline.core.restore;

import io.tideline.core.ids.BackupId;
import io.tideline.core.wal.Lsn;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Where a restore should stop: every recovery target PostgreSQL has. The CLI's {@code --to} (with
 * {@code --exclusive}), the HTTP API and the restore service mean the same thing by it, so all parse it
 * here; {@code RestoreRequested.target} carries {@link #asEventText()} and {@code RestoreRequested.exclusive}
 * carries {@link #exclusive()}.
 *
 * <p>{@link #parse} accepts:
 * <ul>
 *   <li>{@code latest}: everything stored;</li>
 *   <li>an ISO-8601 time that names a moment unambiguously: with {@code Z} ({@code 2026-11-24T08:15:30Z}),
 *       with an offset ({@code 2026-11-24T10:15:30+02:00}, converted to UTC) or with an offset and a region
 *       ({@code ...+01:00[Europe/Paris]}). A time without zone is refused: "08:15" in whose clock? Guessing
 *       would restore to the wrong hour without anyone noticing;</li>
 *   <li>{@code lsn:0/3000028}: a WAL position ({@code recovery_target_lsn});</li>
 *   <li>{@code xid:4711}: a transaction id, as {@code txid_current()}/{@code pg_current_xact_id()} print it
 *       (an epoch-qualified 64-bit value is accepted: WAL carries its low 32 bits) ({@code recovery_target_xid});</li>
 *   <li>{@code name:before-migration}: a restore point made by {@code tideline restore-point create}
 *       ({@code recovery_target_name});</li>
 *   <li>{@code immediate}, or {@code immediate:<backup id>}: the moment a base backup became consistent
 *       (the newest restorable backup unless one is named) ({@code recovery_target = 'immediate'}).</li>
 * </ul>
 * A time, an LSN and an xid are <em>inclusive</em> by default, as in PostgreSQL (the stop point's
 * transaction is kept); {@code exclusive} stops just before it. A named point and {@code immediate} are
 * positions, not transactions: "exclusive" means nothing for them and is refused, as for {@code latest}.
 */
public sealed interface RestoreTarget {

    String LATEST = "latest";
    String IMMEDIATE = "immediate";
    String LSN_PREFIX = "lsn:";
    String XID_PREFIX = "xid:";
    String NAME_PREFIX = "name:";
    /** PostgreSQL's limit for a restore point's name ({@code MAXFNAMELEN - 1}). */
    int MAX_NAME_LENGTH = 63;
    /** The first normal transaction id (0-2 are reserved and never commit). */
    long FIRST_NORMAL_XID = 3;

    /** Everything the archive holds: replay all WAL, then promote. */
    record Latest() implements RestoreTarget {
        @Override
        public String toString() {
            return LATEST;
        }
    }

    /** Stop at the first commit after {@code time} (inclusive) or at or after it (exclusive). */
    record AtTime(Instant time, boolean inclusive) implements RestoreTarget {
        public AtTime {
            Objects.requireNonNull(time, "time");
        }

        public AtTime(Instant time) {
            this(time, true);
        }

        @Override
        public String toString() {
            return time.toString();
        }
    }

    /** Stop after (inclusive) or before (exclusive) the WAL record at {@code lsn}. */
    record AtLsn(Lsn lsn, boolean inclusive) implements RestoreTarget {
        public AtLsn {
            Objects.requireNonNull(lsn, "lsn");
        }

        @Override
        public String toString() {
            return LSN_PREFIX + lsn;
        }
    }

    /**
     * Stop after (inclusive) or just before (exclusive) the commit of transaction {@code xid}.
     *
     * @param xid  as asked (may carry an epoch in its high 32 bits)
     */
    record AtXid(long xid, boolean inclusive) implements RestoreTarget {
        public AtXid {
            if (xid < 0 || (xid & 0xFFFFFFFFL) < FIRST_NORMAL_XID) {
                throw new IllegalArgumentException("'" + xid + "' is not a transaction id a transaction can have: "
                        + "0, 1 and 2 are reserved");
            }
        }

        /** The 32-bit xid WAL records carry. */
        public long walXid() {
            return xid & 0xFFFFFFFFL;
        }

        @Override
        public String toString() {
            return XID_PREFIX + xid;
        }
    }

    /** Stop at the restore point {@code name}. */
    record AtName(String name) implements RestoreTarget {
        public AtName {
            Objects.requireNonNull(name, "name");
            RestoreTarget.requireRestorePointName(name);
        }

        @Override
        public String toString() {
            return NAME_PREFIX + name;
        }
    }

    /** Stop as soon as the backup ({@code backup}, else the newest restorable one) is consistent. */
    record Immediate(Optional<BackupId> backup) implements RestoreTarget {
        public Immediate {
            Objects.requireNonNull(backup, "backup");
        }

        @Override
        public String toString() {
            return backup.map(b -> IMMEDIATE + ":" + b.value()).orElse(IMMEDIATE);
        }
    }

    static RestoreTarget latest() {
        return new Latest();
    }

    static RestoreTarget at(Instant time) {
        return new AtTime(time);
    }

    /** The target as events carry it in {@code target}: {@code latest}, the UTC instant, {@code lsn:…}, {@code xid:…}, {@code name:…}, {@code immediate[:…]}. */
    default String asEventText() {
        return toString();
    }

    /** True when the target stops just before its transaction/record (only a time, an LSN or an xid can). */
    default boolean exclusive() {
        if (this instanceof AtTime t) {
            return !t.inclusive();
        }
        if (this instanceof AtLsn l) {
            return !l.inclusive();
        }
        return this instanceof AtXid x && !x.inclusive();
    }

    /** For messages: the target, and "exclusive" when it is. */
    default String describe() {
        return asEventText() + (exclusive() ? " (exclusive)" : "");
    }

    default Optional<Instant> targetTime() {
        return this instanceof AtTime at ? Optional.of(at.time()) : Optional.empty();
    }

    /** Parses an inclusive target; see {@link #parse(String, boolean)}. */
    static RestoreTarget parse(String text) {
        return parse(text, false);
    }

    /**
     * Parses the target of a request; {@link IllegalArgumentException} with a sentence for the person who asked.
     * Anything that is not one of the prefixed kinds is read as a time, so a bad time is refused with
     * "'…' is not a time …".
     */
    static RestoreTarget parse(String text, boolean exclusive) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("no target given: use 'latest', a UTC time such as 2026-11-24T08:15:30Z, "
                    + "lsn:0/3000028, xid:4711, name:<restore point> or immediate");
        }
        String t = text.strip();
        String lower = t.toLowerCase(Locale.ROOT);
        RestoreTarget target;
        if (lower.equals(LATEST)) {
            target = new Latest();
        } else if (lower.equals(IMMEDIATE)) {
            target = new Immediate(Optional.empty());
        } else if (lower.startsWith(IMMEDIATE + ":")) {
            target = new Immediate(Optional.of(backupId(t, t.substring(IMMEDIATE.length() + 1).strip())));
        } else if (lower.startsWith(LSN_PREFIX)) {
            target = new AtLsn(lsn(t, t.substring(LSN_PREFIX.length()).strip()), !exclusive);
        } else if (lower.startsWith(XID_PREFIX)) {
            target = new AtXid(xid(t, t.substring(XID_PREFIX.length()).strip()), !exclusive);
        } else if (lower.startsWith(NAME_PREFIX)) {
            target = new AtName(t.substring(NAME_PREFIX.length()).strip());
        } else {
            target = new AtTime(time(t), !exclusive);
        }
        if (exclusive && !target.exclusive()) {
            throw new IllegalArgumentException("'" + t + "' cannot be exclusive: only a time, an LSN or an xid has a "
                    + "transaction to stop before (" + (target instanceof AtName ? "a restore point is a position"
                    : target instanceof Immediate ? "'immediate' is the backup's consistency point" : "'latest' is everything stored") + ")");
        }
        return target;
    }

    /** Refuses what PostgreSQL would not take as a restore point name (or could not write back in a setting). */
    static String requireRestorePointName(String name) {
        if (name.isBlank()) {
            throw new IllegalArgumentException("a restore point needs a name, e.g. name:before-migration");
        }
        if (name.length() > MAX_NAME_LENGTH) {
            throw new IllegalArgumentException("restore point name '" + name + "' is too long: at most " + MAX_NAME_LENGTH + " characters");
        }
        if (!name.matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException("restore point name '" + name + "' may use only letters, digits, '.', '_' and '-'");
        }
        return name;
    }

    private static Lsn lsn(String text, String value) {
        try {
            return Lsn.parse(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + text + "' is not an LSN: write it as PostgreSQL prints one, "
                    + "e.g. lsn:0/3000028 (pg_current_wal_lsn())");
        }
    }

    private static long xid(String text, String value) {
        long xid;
        try {
            xid = Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not a transaction id: write it as a decimal number, "
                    + "e.g. xid:4711 (txid_current())");
        }
        if (xid < 0 || (xid & 0xFFFFFFFFL) < FIRST_NORMAL_XID) {
            throw new IllegalArgumentException("'" + text + "' is not a transaction id a transaction can have: "
                    + "0, 1 and 2 are reserved");
        }
        return xid;
    }

    private static BackupId backupId(String text, String value) {
        try {
            return BackupId.parse(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + text + "' does not name a backup: " + e.getMessage()
                    + " (see tideline backups INSTANCE)");
        }
    }

    private static Instant time(String t) {
        try {
            return OffsetDateTime.parse(t, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
        } catch (DateTimeParseException notOffset) {
            // try the other forms below
        }
        try {
            return ZonedDateTime.parse(t, DateTimeFormatter.ISO_ZONED_DATE_TIME).toInstant();
        } catch (DateTimeParseException notZoned) {
            // try the other forms below
        }
        if (parses(() -> LocalDateTime.parse(t, DateTimeFormatter.ISO_LOCAL_DATE_TIME))) {
            throw new IllegalArgumentException("'" + t + "' is not a time Tideline can place: it has no time zone, so the moment is ambiguous: "
                    + "add Z for UTC (" + t + "Z) or an offset such as +02:00");
        }
        if (parses(() -> LocalDate.parse(t, DateTimeFormatter.ISO_LOCAL_DATE))) {
            throw new IllegalArgumentException("'" + t + "' is not a time: it is a date, not a moment: give a UTC time such as "
                    + t + "T00:00:00Z");
        }
        throw new IllegalArgumentException("'" + t + "' is not a time Tideline understands: use 'latest', "
                + "ISO-8601 UTC such as 2026-11-24T08:15:30Z, lsn:0/3000028, xid:4711, name:<restore point> or immediate");
    }

    private static boolean parses(Runnable parse) {
        try {
            parse.run();
            return true;
        } catch (DateTimeException e) {
            return false;
        }
    }
}
