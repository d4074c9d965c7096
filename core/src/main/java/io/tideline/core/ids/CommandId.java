package io.tideline.core.ids;

import io.tideline.core.wal.Lsn;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The id of a backup command ({@code BackupCommand.commandId}): the archiver's idempotence key, one
 * backup per id. Tideline's producers write four kinds, each a pure function of what asked for it:
 * <ul>
 *   <li>{@link Daily} {@code daily:<instance>:<yyyy-mm-dd>} (the scheduler, and the CLI's first backup),</li>
 *   <li>{@link OnDemand} {@code ondemand:<uuid>} (a person, through the CLI),</li>
 *   <li>{@link AfterWalGap} {@code wal-gap:<instance>:<timeline>:<lsn>} (the archiver, when WAL was lost),</li>
 *   <li>{@link AfterRestore} {@code restore:<restoreId>} (the restore service, for the new instance),</li>
 *   <li>{@link AfterCorruption} {@code corrupt:<instance>:<timeline>:<lsn>} (retention, when a damaged WAL object
 *       cuts the window's end),</li>
 *   <li>{@link RtoBudget} {@code rto:<instance>:<timeline>:<lsn>:<attempt>} (the scheduler, when the WAL since the newest
 *       backup, which starts at {@code lsn}, would replay for longer than the instance's RTO budget).</li>
 * </ul>
 * The topic is open to other clients, whose ids are kept as given ({@link Custom}). {@link #value()} is
 * the wire text, unchanged from what the producers always wrote.
 *
 * <p>{@link #parse} promises: a text carrying one of the four prefixes is that kind or an
 * {@link IllegalArgumentException} (a malformed Tideline id is a bug in its writer, never another
 * kind); any other printable text without spaces of at most {@value #MAX_LENGTH} characters is a
 * {@link Custom}; anything else is refused. Instance ids never contain ':', so every form splits
 * unambiguously.
 */
public sealed interface CommandId {

    /** Longest id the archiver accepts (it is logged and stored in manifests). */
    int MAX_LENGTH = 200;

    /** The wire text. */
    String value();

    /** Printable ASCII, no spaces, 1 to {@value #MAX_LENGTH} characters: what any command id must be. */
    static boolean isValidText(String text) {
        return text != null && Forms.TEXT.matcher(text).matches();
    }

    /** Parses any command id; see the type's javadoc for what is refused. */
    static CommandId parse(String text) {
        if (!isValidText(text)) {
            throw new IllegalArgumentException("a command id must be 1 to " + MAX_LENGTH
                    + " printable characters without spaces, not '" + text + "'");
        }
        Optional<Daily> daily = Daily.tryParse(text);
        if (daily.isPresent()) {
            return daily.get();
        }
        if (text.startsWith(OnDemand.PREFIX)) {
            return OnDemand.parse(text);
        }
        if (text.startsWith(AfterWalGap.PREFIX)) {
            return AfterWalGap.parse(text);
        }
        if (text.startsWith(AfterRestore.PREFIX)) {
            return AfterRestore.parse(text);
        }
        if (text.startsWith(AfterCorruption.PREFIX)) {
            return AfterCorruption.parse(text);
        }
        if (text.startsWith(RtoBudget.PREFIX)) {
            return RtoBudget.parse(text);
        }
        return new Custom(text);
    }

    static Daily daily(InstanceId instance, LocalDate day) {
        return new Daily(instance, day);
    }

    static OnDemand onDemand(UUID id) {
        return new OnDemand(id);
    }

    /** A fresh on-demand id. */
    static OnDemand newOnDemand() {
        return new OnDemand(UUID.randomUUID());
    }

    static AfterWalGap afterWalGap(InstanceId instance, long timeline, Lsn missingFrom) {
        return new AfterWalGap(instance, timeline, missingFrom);
    }

    static AfterCorruption afterCorruption(InstanceId instance, long timeline, Lsn cutAt) {
        return new AfterCorruption(instance, timeline, cutAt);
    }

    static RtoBudget rtoBudget(InstanceId instance, long timeline, Lsn newestBackupStart, int attempt) {
        return new RtoBudget(instance, timeline, newestBackupStart, attempt);
    }

    static AfterRestore afterRestore(RestoreId restore) {
        return new AfterRestore(restore);
    }

    /**
     * An instance's daily base backup with the UTC date of its window. A pure function of (instance,
     * date): every scheduler replica, restart and redelivery names the day's backup the same way, and
     * the archiver takes it once.
     */
    record Daily(InstanceId instance, LocalDate day) implements CommandId, Comparable<Daily> {

        public static final String PREFIX = "daily:";

        public Daily {
            Objects.requireNonNull(instance, "instance");
            Objects.requireNonNull(day, "day");
        }

        /** Parses a daily command id; throws with the offending text if it is not one. */
        public static Daily parse(String text) {
            return tryParse(text).orElseThrow(() ->
                    new IllegalArgumentException("not a daily command id daily:<instance>:<yyyy-mm-dd>: '" + text + "'"));
        }

        /**
         * Empty for a text of another kind (or null), the value for a daily one; throws if the text
         * starts like a daily id but is malformed, because that is a bug in whoever wrote it.
         */
        public static Optional<Daily> tryParse(String text) {
            if (text == null || !text.startsWith(PREFIX)) {
                return Optional.empty();
            }
            Matcher m = Forms.DAILY.matcher(text);
            if (!m.matches()) {
                throw new IllegalArgumentException("malformed daily command id: '" + text + "'");
            }
            try {
                return Optional.of(new Daily(InstanceId.of(m.group(1)), LocalDate.parse(m.group(2))));
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("malformed daily command id (date): '" + text + "'", e);
            }
        }

        @Override
        public String value() {
            return PREFIX + instance.value() + ":" + day;
        }

        /** By day, then instance id. */
        @Override
        public int compareTo(Daily o) {
            int byDay = day.compareTo(o.day);
            return byDay != 0 ? byDay : instance.value().compareTo(o.instance.value());
        }

        @Override
        public String toString() {
            return value();
        }
    }

    /** A backup a person asked for now: random, so each request is its own backup. */
    record OnDemand(UUID id) implements CommandId {

        public static final String PREFIX = "ondemand:";

        public OnDemand {
            Objects.requireNonNull(id, "id");
        }

        static OnDemand parse(String text) {
            String rest = text.substring(PREFIX.length());
            if (!Forms.UUID_TEXT.matcher(rest).matches()) {
                throw new IllegalArgumentException("malformed on-demand command id (ondemand:<lower-case uuid>): '" + text + "'");
            }
            return new OnDemand(UUID.fromString(rest));
        }

        @Override
        public String value() {
            return PREFIX + id;
        }

        @Override
        public String toString() {
            return value();
        }
    }

    /**
     * The backup asked for when WAL from {@code missingFrom} on {@code timeline} can no longer be
     * streamed: the same gap detected again yields the same id, so it is one backup.
     */
    record AfterWalGap(InstanceId instance, long timeline, Lsn missingFrom) implements CommandId {

        public static final String PREFIX = "wal-gap:";

        public AfterWalGap {
            Objects.requireNonNull(instance, "instance");
            Objects.requireNonNull(missingFrom, "missingFrom");
            if (timeline < 1 || timeline > 0xFFFFFFFFL) {
                throw new IllegalArgumentException("a timeline is 1 to 4294967295, not " + timeline);
            }
        }

        static AfterWalGap parse(String text) {
            Matcher m = Forms.WAL_GAP.matcher(text);
            if (!m.matches()) {
                throw new IllegalArgumentException("malformed WAL gap command id (wal-gap:<instance>:<timeline>:<lsn>): '" + text + "'");
            }
            AfterWalGap id;
            try {
                id = new AfterWalGap(InstanceId.of(m.group(1)), Long.parseLong(m.group(2)), Lsn.parse(m.group(3)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("malformed WAL gap command id: '" + text + "': " + e.getMessage(), e);
            }
            // One text per gap: leading zeros or lower-case hex would name the same gap differently.
            if (!id.value().equals(text)) {
                throw new IllegalArgumentException("WAL gap command id '" + text + "' is not in its canonical form " + id.value());
            }
            return id;
        }

        @Override
        public String value() {
            return PREFIX + instance.value() + ":" + timeline + ":" + missingFrom;
        }

        @Override
        public String toString() {
            return value();
        }
    }

    /**
     * The backup asked for when a damaged WAL object cuts the window's end at {@code cutAt} (the start of
     * the damaged segment) on {@code timeline}: the same damage found again (by the CLI's verify, the
     * background verifier, a replica after a restart) yields the same id, so it is one backup.
     */
    record AfterCorruption(InstanceId instance, long timeline, Lsn cutAt) implements CommandId {

        public static final String PREFIX = "corrupt:";

        public AfterCorruption {
            Objects.requireNonNull(instance, "instance");
            Objects.requireNonNull(cutAt, "cutAt");
            if (timeline < 1 || timeline > 0xFFFFFFFFL) {
                throw new IllegalArgumentException("a timeline is 1 to 4294967295, not " + timeline);
            }
        }

        static AfterCorruption parse(String text) {
            Matcher m = Forms.CORRUPT.matcher(text);
            if (!m.matches()) {
                throw new IllegalArgumentException("malformed corruption command id (corrupt:<instance>:<timeline>:<lsn>): '" + text + "'");
            }
            AfterCorruption id;
            try {
                id = new AfterCorruption(InstanceId.of(m.group(1)), Long.parseLong(m.group(2)), Lsn.parse(m.group(3)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("malformed corruption command id: '" + text + "': " + e.getMessage(), e);
            }
            if (!id.value().equals(text)) {
                throw new IllegalArgumentException("corruption command id '" + text + "' is not in its canonical form " + id.value());
            }
            return id;
        }

        @Override
        public String value() {
            return PREFIX + instance.value() + ":" + timeline + ":" + cutAt;
        }

        @Override
        public String toString() {
            return value();
        }
    }

    /** The first base backup of an instance a restore made: one per restore id. */
    record AfterRestore(RestoreId restore) implements CommandId {

        public static final String PREFIX = "restore:";

        public AfterRestore {
            Objects.requireNonNull(restore, "restore");
        }

        static AfterRestore parse(String text) {
            try {
                return new AfterRestore(RestoreId.of(text.substring(PREFIX.length())));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("malformed restore command id (restore:<restore id>): '" + text + "'", e);
            }
        }

        @Override
        public String value() {
            return PREFIX + restore.value();
        }

        @Override
        public String toString() {
            return value();
        }
    }

    /** An id a client outside Tideline chose: kept as given, no structure assumed. */
    record Custom(String value) implements CommandId {

        public Custom {
            if (!isValidText(value)) {
                throw new IllegalArgumentException("a command id must be 1 to " + MAX_LENGTH
                        + " printable characters without spaces, not '" + value + "'");
            }
            if (value.startsWith(Daily.PREFIX) || value.startsWith(OnDemand.PREFIX) || value.startsWith(AfterWalGap.PREFIX)
                    || value.startsWith(AfterRestore.PREFIX) || value.startsWith(AfterCorruption.PREFIX)
                    || value.startsWith(RtoBudget.PREFIX)) {
                throw new IllegalArgumentException("'" + value + "' has the prefix of one of Tideline's own kinds: use CommandId.parse");
            }
        }

        @Override
        public String toString() {
            return value;
        }
    }

    /**
     * An extra base backup the scheduler asks for because the WAL since the newest backup (on {@code timeline}, starting
     * at {@code newestBackupStart}) would replay for longer than the instance's RTO budget (issue 18.6). A pure function
     * of what every scheduler replica reads: replicas that decide at once name the same backup, and the archiver takes
     * it once. {@code attempt} counts from 1 and grows only when an earlier attempt against the same backup failed.
     */
    record RtoBudget(InstanceId instance, long timeline, Lsn newestBackupStart, int attempt) implements CommandId {

        public static final String PREFIX = "rto:";

        public RtoBudget {
            Objects.requireNonNull(instance, "instance");
            Objects.requireNonNull(newestBackupStart, "newestBackupStart");
            if (timeline < 1 || timeline > 0xFFFFFFFFL) {
                throw new IllegalArgumentException("a timeline is 1 to 4294967295, not " + timeline);
            }
            if (attempt < 1) {
                throw new IllegalArgumentException("an attempt counts from 1, not " + attempt);
            }
        }

        static RtoBudget parse(String text) {
            Matcher m = Forms.RTO.matcher(text);
            if (!m.matches()) {
                throw new IllegalArgumentException("malformed RTO budget command id (rto:<instance>:<timeline>:<lsn>:<attempt>): '" + text + "'");
            }
            RtoBudget id;
            try {
                id = new RtoBudget(InstanceId.of(m.group(1)), Long.parseLong(m.group(2)), Lsn.parse(m.group(3)),
                        Integer.parseInt(m.group(4)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("malformed RTO budget command id: '" + text + "': " + e.getMessage(), e);
            }
            if (!id.value().equals(text)) {
                throw new IllegalArgumentException("RTO budget command id '" + text + "' is not in its canonical form " + id.value());
            }
            return id;
        }

        @Override
        public String value() {
            return PREFIX + instance.value() + ":" + timeline + ":" + newestBackupStart + ":" + attempt;
        }

        @Override
        public String toString() {
            return value();
        }
    }

    /** The text forms (a nested holder: interface fields would be public API). */
    final class Forms {
        private static final Pattern TEXT = Pattern.compile("[\\x21-\\x7E]{1," + MAX_LENGTH + "}");
        // Instance ids never contain ':' (see InstanceId), so the texts split unambiguously.
        private static final Pattern DAILY = Pattern.compile("daily:([^:]+):(\\d{4}-\\d{2}-\\d{2})");
        private static final Pattern UUID_TEXT = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
        private static final Pattern WAL_GAP = Pattern.compile("wal-gap:([^:]+):(\\d{1,10}):([^:]+)");
        private static final Pattern CORRUPT = Pattern.compile("corrupt:([^:]+):(\\d{1,10}):([^:]+)");
        private static final Pattern RTO = Pattern.compile("rto:([^:]+):(\\d{1,10}):([^:]+):(\\d{1,6})");

        private Forms() {
        }
    }
}
