package io.tideline.core.changes;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.tideline.core.wal.Lsn;
import java.io.IOException;
import java.util.List;
import java.util.Objects;

/**
 * {@code changes/<timeline>/<segment>[.partial].json}: the destructive transactions whose commit record
 * ends in one WAL object, written by the archiver right after that object is stored, and removed with it
 * (by the archiver for a partial superseded by its segment, by retention with the segment). Self-describing:
 * names are resolved when written, from the catalog snapshot in force before the commit, so a reader needs
 * nothing else. JSON, strict: an unknown {@code format} or {@code formatVersion}, or an unknown field, fails.
 *
 * @param from where the scan of this object's WAL began (its segment's start, or where the stream resumed)
 * @param to   the end of the WAL the object holds
 */
public record ChangeIndex(String format, int formatVersion, long timeline, String segment, boolean partial, Lsn from, Lsn to,
                          List<IndexedTransaction> transactions) {

    public static final String FORMAT = "tideline.changes";
    public static final int FORMAT_VERSION = 1;

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
