package io.tideline.core.basebackup;

import io.tideline.core.wal.Lsn;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The server's {@code backup_label}, the first member of the tar stream: where WAL replay of this
 * backup must begin. {@code pg_basebackup -X none} does not print the start point (it does so only
 * when it fetches WAL itself), so this file is where a reader of the stream learns it, as soon as the
 * stream begins.
 *
 * @param startLsn      START WAL LOCATION: the checkpoint's redo position
 * @param checkpointLsn CHECKPOINT LOCATION
 * @param timeline      START TIMELINE
 * @param fromStandby   BACKUP FROM: standby (a standby's backup ends without a WAL switch)
 */
public record BackupLabel(Lsn startLsn, Lsn checkpointLsn, long timeline, boolean fromStandby) {

    public static final String FILE_NAME = "backup_label";

    private static final Pattern LINE = Pattern.compile("([A-Z ]+): (.*)");
    private static final Pattern START = Pattern.compile("([0-9A-Fa-f]{1,8}/[0-9A-Fa-f]{1,8}) \\(file [0-9A-F]{24}\\)");

    public BackupLabel {
        Objects.requireNonNull(startLsn, "startLsn");
        Objects.requireNonNull(checkpointLsn, "checkpointLsn");
        if (timeline < 1 || timeline > 0xFFFFFFFFL) {
            throw new IllegalArgumentException("backup_label: timeline out of range: " + timeline);
        }
        if (checkpointLsn.isBefore(startLsn)) {
            throw new IllegalArgumentException("backup_label: checkpoint " + checkpointLsn + " before its redo point " + startLsn);
        }
    }

    /** Parses the label; a missing or malformed line is an {@link IllegalArgumentException} naming it. */
    public static BackupLabel parse(String text) {
        Map<String, String> fields = new HashMap<>();
        for (String line : text.split("\n")) {
            Matcher m = LINE.matcher(line);
            if (m.matches()) {
                fields.putIfAbsent(m.group(1), m.group(2).strip());
            }
        }
        String start = require(fields, "START WAL LOCATION");
        Matcher s = START.matcher(start);
        if (!s.matches()) {
            throw new IllegalArgumentException("backup_label: malformed START WAL LOCATION '" + start + "'");
        }
        long timeline;
        String tli = require(fields, "START TIMELINE");
        try {
            timeline = Long.parseLong(tli);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("backup_label: malformed START TIMELINE '" + tli + "'");
        }
        String from = fields.getOrDefault("BACKUP FROM", "primary");
        return new BackupLabel(Lsn.parse(s.group(1)), Lsn.parse(require(fields, "CHECKPOINT LOCATION")), timeline,
                from.equals("standby"));
    }

    private static String require(Map<String, String> fields, String name) {
        String value = fields.get(name);
        if (value == null) {
            throw new IllegalArgumentException("backup_label has no " + name + " line");
        }
        return value;
    }
}
