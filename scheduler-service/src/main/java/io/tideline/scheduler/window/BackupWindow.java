package io.tideline.scheduler.window;

import io.tideline.core.ids.InstanceId;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * When an instance's daily base backup starts: a minute of the UTC day. UTC on purpose, so daylight
 * saving time never makes a day 23 or 25 hours long nor skips or repeats a window.
 *
 * @param startMinute minute of the UTC day, 0..1439
 */
public record BackupWindow(int startMinute) {

    private static final Pattern TEXT = Pattern.compile("(\\d{2}):(\\d{2})");

    public BackupWindow {
        if (startMinute < 0 || startMinute >= WindowBand.MINUTES_PER_DAY) {
            throw new IllegalArgumentException("a backup window starts at a minute of the UTC day (0..1439): " + startMinute);
        }
    }

    /** Parses {@code HH:mm}, UTC. */
    public static BackupWindow parse(String text) {
        Matcher m = text == null ? null : TEXT.matcher(text.strip());
        if (m == null || !m.matches()) {
            throw new IllegalArgumentException("not a UTC backup window HH:mm: '" + text + "'");
        }
        int h = Integer.parseInt(m.group(1));
        int min = Integer.parseInt(m.group(2));
        if (h > 23 || min > 59) {
            throw new IllegalArgumentException("not a UTC backup window HH:mm (time out of range): '" + text + "'");
        }
        return new BackupWindow(h * 60 + min);
    }

    /**
     * The default window of an instance: spread over {@code band} by a hash of the instance id, so
     * that a fleet does not start all its base backups in the same minute.
     *
     * <p>The hash is part of the contract and must never change between releases or JVMs, or every
     * instance's window would move at an upgrade (skipping or doubling a day's backup): the first
     * 8 bytes of SHA-256 over the UTF-8 bytes of the instance id, read big-endian as an unsigned
     * 64-bit number, modulo the band's length in minutes, added to the band's start. (The modulo
     * bias of 2^64 over at most 1,440 is below 10^-16: negligible.)
     */
    public static BackupWindow spread(InstanceId instance, WindowBand band) {
        long hash = ByteBuffer.wrap(sha256(instance.value().getBytes(StandardCharsets.UTF_8))).getLong();
        int offset = (int) Long.remainderUnsigned(hash, band.lengthMinutes());
        return new BackupWindow(band.minuteAt(offset));
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform must provide SHA-256", e);
        }
    }

    /** The instant this window opens on the given UTC date. */
    public Instant startOn(LocalDate utcDate) {
        return utcDate.atStartOfDay(ZoneOffset.UTC).plusMinutes(startMinute).toInstant();
    }

    /**
     * The UTC date of the latest window that opened at or before {@code now} (a window opens at its
     * first instant: exactly on the minute counts as opened).
     */
    public LocalDate latestOpenedDay(Instant now) {
        LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
        return now.isBefore(startOn(today)) ? today.minusDays(1) : today;
    }

    static String format(int minuteOfDay) {
        return String.format("%02d:%02d", minuteOfDay / 60, minuteOfDay % 60);
    }

    @Override
    public String toString() {
        return format(startMinute);
    }
}
