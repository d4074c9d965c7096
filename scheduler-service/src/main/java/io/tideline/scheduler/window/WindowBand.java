package io.tideline.scheduler.window;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The part of the UTC day in which default (spread) backup windows may start, e.g. the fleet's
 * quiet hours. A band may wrap over midnight ({@code 22:00-04:00}); a band whose end equals its
 * start is the whole day ({@link #WHOLE_DAY}).
 *
 * @param startMinute   first allowed minute of the UTC day, 0..1439
 * @param lengthMinutes number of allowed minutes, 1..1440
 */
public record WindowBand(int startMinute, int lengthMinutes) {

    public static final int MINUTES_PER_DAY = 24 * 60;
    public static final WindowBand WHOLE_DAY = new WindowBand(0, MINUTES_PER_DAY);

    private static final Pattern TEXT = Pattern.compile("(\\d{2}):(\\d{2})-(\\d{2}):(\\d{2})");

    public WindowBand {
        if (startMinute < 0 || startMinute >= MINUTES_PER_DAY) {
            throw new IllegalArgumentException("band start must be a minute of the day (0..1439): " + startMinute);
        }
        if (lengthMinutes < 1 || lengthMinutes > MINUTES_PER_DAY) {
            throw new IllegalArgumentException("band length must be 1..1440 minutes: " + lengthMinutes);
        }
    }

    /**
     * Parses {@code HH:mm-HH:mm} (UTC, end exclusive). {@code 24:00} is accepted as an end; an end
     * equal to the start means the whole day, so {@code 00:00-24:00} and {@code 00:00-00:00} are the same.
     */
    public static WindowBand parse(String text) {
        Matcher m = text == null ? null : TEXT.matcher(text.strip());
        if (m == null || !m.matches()) {
            throw new IllegalArgumentException("not a UTC band HH:mm-HH:mm: '" + text + "'");
        }
        int start = minuteOfDay(m.group(1), m.group(2), text, false);
        int end = minuteOfDay(m.group(3), m.group(4), text, true) % MINUTES_PER_DAY;
        int length = Math.floorMod(end - start, MINUTES_PER_DAY);
        return new WindowBand(start, length == 0 ? MINUTES_PER_DAY : length);
    }

    private static int minuteOfDay(String hh, String mm, String text, boolean allow24) {
        int h = Integer.parseInt(hh);
        int m = Integer.parseInt(mm);
        boolean is24 = h == 24 && m == 0;
        if (m > 59 || h > 24 || (h == 24 && !(allow24 && is24))) {
            throw new IllegalArgumentException("not a UTC band HH:mm-HH:mm (time out of range): '" + text + "'");
        }
        return h * 60 + m;
    }

    /** The minute of the day that lies {@code offset} minutes into the band (offset 0..length-1). */
    public int minuteAt(int offset) {
        if (offset < 0 || offset >= lengthMinutes) {
            throw new IllegalArgumentException("offset " + offset + " outside a band of " + lengthMinutes + " minutes");
        }
        return (startMinute + offset) % MINUTES_PER_DAY;
    }

    /** Whether a minute of the day lies in the band. */
    public boolean contains(int minuteOfDay) {
        return Math.floorMod(minuteOfDay - startMinute, MINUTES_PER_DAY) < lengthMinutes;
    }

    @Override
    public String toString() {
        return BackupWindow.format(startMinute) + "-" + BackupWindow.format((startMinute + lengthMinutes) % MINUTES_PER_DAY);
    }
}
