package io.tideline.core.wal;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The content of a timeline history file ({@code 00000002.history}): which timelines a timeline
 * descends from and at which LSN each one was left. A server writes one when it is promoted or
 * finishes archive recovery; a restore needs it to know which timeline's segments hold a position.
 *
 * <p>File format, one line per ancestor, oldest first: {@code <parent tli>\t<switch LSN>\t<reason>}.
 * The server's reader skips blank lines and lines starting with {@code #}, requires increasing
 * timeline ids, and treats the reason as free text; so does {@link #parse}. The timeline the file
 * is named after is not listed in it: it is the open-ended last stretch.
 *
 * @param timeline the timeline whose history this is
 * @param entries  its ancestors, oldest first; empty for timeline 1
 */
public record TimelineHistory(long timeline, List<Entry> entries) {

    /**
     * One ancestor: WAL of {@code parentTimeline} is valid up to (not including) {@code switchPoint};
     * from there on the next timeline of the history continues.
     */
    public record Entry(long parentTimeline, Lsn switchPoint, String reason) {
        public Entry {
            WalSegmentName.requireValidTimeline(parentTimeline);
            Objects.requireNonNull(switchPoint, "switchPoint");
            reason = reason == null ? "" : reason;
            if (reason.contains("\n")) {
                throw new IllegalArgumentException("a timeline switch reason is one line: '" + reason + "'");
            }
        }
    }

    private static final Pattern LINE = Pattern.compile("(\\d{1,10})\\s+([0-9A-Fa-f]{1,8}/[0-9A-Fa-f]{1,8})(?:\\s+(.*))?");
    private static final Pattern FILE_NAME = Pattern.compile("([0-9A-F]{8})\\.history");

    public TimelineHistory {
        WalSegmentName.requireValidTimeline(timeline);
        entries = List.copyOf(entries);
        long previousTli = 0;
        Lsn previousSwitch = Lsn.ZERO;
        for (Entry e : entries) {
            if (e.parentTimeline() <= previousTli) {
                throw new IllegalArgumentException("timeline ids must increase in a history: " + e.parentTimeline()
                        + " after " + previousTli);
            }
            if (e.switchPoint().isBefore(previousSwitch)) {
                throw new IllegalArgumentException("switch points must not go back in a history: " + e.switchPoint()
                        + " after " + previousSwitch);
            }
            previousTli = e.parentTimeline();
            previousSwitch = e.switchPoint();
        }
        if (previousTli >= timeline) {
            throw new IllegalArgumentException("the ancestors of timeline " + timeline + " must have smaller ids, found " + previousTli);
        }
    }

    /** The history of a cluster that never switched timelines. */
    public static TimelineHistory initial() {
        return new TimelineHistory(1, List.of());
    }

    /** {@code 00000002.history} for timeline 2. */
    public static String fileName(long timeline) {
        WalSegmentName.requireValidTimeline(timeline);
        return String.format("%08X.history", timeline);
    }

    /** The timeline a history file is named after; fails on any other name. */
    public static long timelineOfFileName(String fileName) {
        Matcher m = fileName == null ? null : FILE_NAME.matcher(fileName);
        if (m == null || !m.matches()) {
            throw new IllegalArgumentException("not a timeline history file name (8 upper-case hex digits + .history): '" + fileName + "'");
        }
        long tli = Long.parseLong(m.group(1), 16);
        WalSegmentName.requireValidTimeline(tli);
        return tli;
    }

    /** Parses the content of the history file of {@code timeline}; a malformed line fails with its number. */
    public static TimelineHistory parse(long timeline, String content) {
        Objects.requireNonNull(content, "content");
        List<Entry> entries = new ArrayList<>();
        String[] lines = content.split("\\r?\\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            Matcher m = LINE.matcher(line);
            if (!m.matches()) {
                throw new IllegalArgumentException("syntax error in history file of timeline " + timeline + ", line " + (i + 1)
                        + " (expected <timeline>\\t<X/Y>\\t<reason>): '" + lines[i] + "'");
            }
            long parent = Long.parseLong(m.group(1));
            Entry entry;
            try {
                entry = new Entry(parent, Lsn.parse(m.group(2)), m.group(3) == null ? "" : m.group(3));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("invalid data in history file of timeline " + timeline + ", line " + (i + 1)
                        + ": " + e.getMessage(), e);
            }
            entries.add(entry);
        }
        try {
            return new TimelineHistory(timeline, entries);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid history file of timeline " + timeline + ": " + e.getMessage(), e);
        }
    }

    /** The file content in the server's format, one line per ancestor ending in a newline. */
    public String format() {
        StringBuilder out = new StringBuilder();
        for (Entry e : entries) {
            out.append(e.parentTimeline()).append('\t').append(e.switchPoint()).append('\t').append(e.reason()).append('\n');
        }
        return out.toString();
    }

    /** Every timeline of this history, oldest first, ending with {@link #timeline()} itself. */
    public List<Long> timelines() {
        List<Long> all = new ArrayList<>(entries.size() + 1);
        entries.forEach(e -> all.add(e.parentTimeline()));
        all.add(timeline);
        return List.copyOf(all);
    }

    public boolean contains(long tli) {
        return tli == timeline || entries.stream().anyMatch(e -> e.parentTimeline() == tli);
    }

    /**
     * Where WAL of {@code tli} stops being part of this history: the switch point to the next
     * timeline, or empty for {@link #timeline()} itself, which is open-ended.
     */
    public Optional<Lsn> switchPointOf(long tli) {
        if (tli == timeline) {
            return Optional.empty();
        }
        return entries.stream().filter(e -> e.parentTimeline() == tli).map(Entry::switchPoint).findFirst()
                .or(() -> {
                    throw new IllegalArgumentException("timeline " + tli + " is not in the history of timeline " + timeline);
                });
    }

    /**
     * The timeline whose WAL holds the byte at {@code lsn} when following this history: the first
     * ancestor whose switch point is after {@code lsn}. A position exactly at a switch point
     * already belongs to the next timeline, as in the server's {@code tliOfPointInHistory}.
     */
    public long timelineAt(Lsn lsn) {
        for (Entry e : entries) {
            if (lsn.isBefore(e.switchPoint())) {
                return e.parentTimeline();
            }
        }
        return timeline;
    }

    /**
     * The segment file that recovery along this history reads for the segment holding {@code lsn}:
     * the newest timeline of the history that had already begun by the start of that segment, as
     * the server's {@code XLogFileReadAnyTLI} chooses. The segment in which a switch happened thus
     * comes from the NEW timeline (it holds the old timeline's WAL up to the switch, then the new);
     * the old timeline's copy of it is typically archived only as {@code .partial}.
     */
    public WalSegmentName segmentAt(Lsn lsn, long segmentSize) {
        long segmentNo = WalSegmentName.of(1, lsn, segmentSize).segmentNo();
        long chosen = entries.isEmpty() ? timeline : entries.get(0).parentTimeline();
        for (int i = 0; i < entries.size(); i++) {
            long successor = i + 1 < entries.size() ? entries.get(i + 1).parentTimeline() : timeline;
            long beginSegment = WalSegmentName.of(1, entries.get(i).switchPoint(), segmentSize).segmentNo();
            if (beginSegment <= segmentNo) {
                chosen = successor;
            }
        }
        return new WalSegmentName(chosen, segmentNo, segmentSize);
    }
}
