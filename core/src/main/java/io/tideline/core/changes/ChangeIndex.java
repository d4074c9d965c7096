package io.tideline.core.changes;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.github.luben.zstd.Zstd;
import io.tideline.core.wal.Lsn;
import java.io.IOException;
import java.util.List;
import java.util.Objects;

/**
 * {@code changes/<timeline>/<segment>[.partial].json.zst}: the destructive transactions whose commit record
 * ends in one WAL object, written by the archiver right after that object is stored, and removed with it
 * (by the archiver for a partial superseded by its segment, by retention with the segment). Self-describing:
 * names are resolved when written, from the catalog snapshot in force before the commit, so a reader needs
 * nothing else. JSON, zstd-compressed ({@link #toStored()}), strict: an unknown {@code format} or {@code formatVersion}, or an unknown field, fails.
 *
 * @param from where the scan of this object's WAL began (its segment's start, or where the stream resumed)
 * @param to   the end of the WAL the object holds
 */
public record ChangeIndex(String format, int formatVersion, long timeline, String segment, boolean partial, Lsn from, Lsn to,
                          List<IndexedTransaction> transactions) {

    public static final String FORMAT = "tideline.changes";
    public static final int FORMAT_VERSION = 1;
    /** Far above the index of any segment; a larger claimed size is not one Tideline wrote. */
    private static final long MAX_JSON = 512L << 20;

    public ChangeIndex {
        if (!FORMAT.equals(format) || formatVersion != FORMAT_VERSION) {
            throw new IllegalArgumentException("not a change index Tideline can read: " + format + " v" + formatVersion);
        }
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        transactions = List.copyOf(transactions);
    }

    public static ChangeIndex of(long timeline, String segment, boolean partial, Lsn from, Lsn to, List<IndexedTransaction> transactions) {
        return new ChangeIndex(FORMAT, FORMAT_VERSION, timeline, segment, partial, from, to, transactions);
    }

    /** What is stored: the JSON, zstd-compressed (a busy segment indexes tens of thousands of small transactions). */
    public byte[] toStored() {
        return Zstd.compress(toJson(), 3);
    }

    /** Parses what {@link #toStored()} wrote. */
    public static ChangeIndex parseStored(byte[] stored) {
        long size = Zstd.getFrameContentSize(stored);
        if (size < 0 || size > MAX_JSON) {
            throw new IllegalArgumentException("not a zstd-compressed change index (content size " + size + ")");
        }
        try {
            return parse(Zstd.decompress(stored, (int) size));
        } catch (RuntimeException e) {
            if (e instanceof IllegalArgumentException) {
                throw e;
            }
            throw new IllegalArgumentException("unreadable change index: " + e.getMessage(), e);
        }
    }

    public byte[] toJson() {
        try {
            return ChangeJson.MAPPER.writeValueAsBytes(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a change index", e);
        }
    }

    /** Parses a stored index; {@link IllegalArgumentException} saying why when it is not one this version reads. */
    public static ChangeIndex parse(byte[] json) {
        try {
            return ChangeJson.MAPPER.readValue(json, ChangeIndex.class);
        } catch (IOException e) {
            throw new IllegalArgumentException("unreadable change index: " + e.getMessage(), e);
        }
    }
}
