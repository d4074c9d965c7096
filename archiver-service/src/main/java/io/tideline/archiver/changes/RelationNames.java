package io.tideline.archiver.changes;

import io.tideline.core.changes.CatalogSnapshot;
import io.tideline.core.changes.Relation;
import io.tideline.core.wal.Lsn;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Relation file → name, from every catalog snapshot a stream has seen: the union, a newer snapshot winning
 * for a file both know. A file dropped since a snapshot keeps the name that snapshot gave it, which is the
 * name it had before the drop; a file no snapshot saw (created and dropped between two) stays unnamed.
 * Files are keyed by (database, relfilenode): shared catalogs ({@code pg_global}) by database 0, as the WAL
 * names them.
 */
final class RelationNames {

    private static final long GLOBAL_TABLESPACE = 1664;

    private record Key(long database, long relfilenode) {
    }

    private record Known(long oid, String schema, String name, String kind) {
    }

    private final Map<Key, Known> files = new HashMap<>();
    private final Map<Long, String> databases = new HashMap<>();
    private Optional<Lsn> newest = Optional.empty();

    /** The position of the newest snapshot added, if any. */
    Optional<Lsn> newest() {
        return newest;
    }

    void add(CatalogSnapshot snapshot) {
        boolean newer = newest.isEmpty() || !snapshot.lsn().isBefore(newest.get());
        for (CatalogSnapshot.Database db : snapshot.databases()) {
            if (newer) {
                databases.put(db.oid(), db.name());
            } else {
                databases.putIfAbsent(db.oid(), db.name());
            }
            for (CatalogSnapshot.CatalogRelation r : db.relations()) {
                Key key = new Key(r.tablespace() == GLOBAL_TABLESPACE ? 0 : db.oid(), r.relfilenode());
                Known known = new Known(r.oid(), r.schema(), r.name(), r.kind());
                if (newer) {
                    files.put(key, known);
                } else {
                    files.putIfAbsent(key, known);
                }
            }
        }
        if (newer) {
            newest = Optional.of(snapshot.lsn());
        }
    }

    boolean knows(RelFile file) {
        return files.containsKey(new Key(file.database(), file.relfilenode()));
    }

    Optional<Long> oidOf(RelFile file) {
        return Optional.ofNullable(files.get(new Key(file.database(), file.relfilenode()))).map(Known::oid);
    }

    Relation resolve(RelFile file) {
        Known k = files.get(new Key(file.database(), file.relfilenode()));
        String database = databases.get(file.database());
        if (k == null) {
            return new Relation(file.tablespace(), file.database(), file.relfilenode(), database, null, null, null);
        }
        return new Relation(file.tablespace(), file.database(), file.relfilenode(), database, k.schema(), k.name(), k.kind());
    }

    Optional<String> databaseName(long oid) {
        return Optional.ofNullable(databases.get(oid));
    }
}
