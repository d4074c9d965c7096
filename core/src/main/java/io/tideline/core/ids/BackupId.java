package io.tideline.core.ids;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.regex.Pattern;

/**
 * A base backup id: the UTC start time to the second plus a short suffix, so ids sort by time
 * in a bucket listing ({@code 20261124T080102Z-3f9a}).
 */
public record BackupId(String value) implements Comparable<BackupId> {

    private static final Pattern VALID = Pattern.compile("\\d{8}T\\d{6}Z-[a-z0-9]{4,12}");
    private static final DateTimeFormatter FORMAT =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    public BackupId {
        if (value == null || !VALID.matcher(value).matches()) {
            throw new IllegalArgumentException("not a backup id (yyyyMMddTHHmmssZ-suffix): '" + value + "'");
        }
    }

    public static BackupId of(Instant startedAt, String suffix) {
        return new BackupId(FORMAT.format(startedAt) + "-" + suffix);
    }

    public static BackupId parse(String value) {
        return new BackupId(value);
    }

    /** The UTC second the backup started, as its id says (the exact start is in its manifest and events). */
    public Instant startSecond() {
        return FORMAT.parse(value.substring(0, value.indexOf('-')), Instant::from);
    }

    @Override
    public int compareTo(BackupId o) {
        return value.compareTo(o.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
