package io.tideline.core.changes;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.tideline.core.wal.Lsn;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * {@code catalog/<lsn>.json}: every relation file of every database that accepts connections, with its name,
 * when the server's WAL insert position was {@code lsn}. Taken by the archiver at every base backup, when its
 * stream starts, and after a commit that changed the catalog; the change index is named from it.
 */
public record CatalogSnapshot(String format, int formatVersion, Lsn lsn, Instant takenAt, List<Database> databases) {

    public static final String FORMAT = "tideline.catalog";
    public static final int FORMAT_VERSION = 1;

    /** One database and its relations that have storage. */
    public record Database(long oid, String name, List<CatalogRelation> relations) {
        public Database {
            relations = List.copyOf(relations);
        }
    }

    /** One row of {@code pg_class} with storage; {@code relfilenode} from {@code pg_relation_filenode} (mapped catalogs too). */
    public record CatalogRelation(long oid, long tablespace, long relfilenode, String schema, String name, String kind) {
    }

    public CatalogSnapshot {
        if (!FORMAT.equals(format) || formatVersion != FORMAT_VERSION) {
            throw new IllegalArgumentException("not a catalog snapshot Tideline can read: " + format + " v" + formatVersion);
        }
        Objects.requireNonNull(lsn, "lsn");
        Objects.requireNonNull(takenAt, "takenAt");
        databases = List.copyOf(databases);
    }

    public static CatalogSnapshot of(Lsn lsn, Instant takenAt, List<Database> databases) {
        return new CatalogSnapshot(FORMAT, FORMAT_VERSION, lsn, takenAt, databases);
    }

    public byte[] toJson() {
        try {
            return ChangeJson.MAPPER.writeValueAsBytes(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a catalog snapshot", e);
        }
    }

    public static CatalogSnapshot parse(byte[] json) {
        try {
            return ChangeJson.MAPPER.readValue(json, CatalogSnapshot.class);
        } catch (IOException e) {
            throw new IllegalArgumentException("unreadable catalog snapshot: " + e.getMessage(), e);
        }
    }
}
