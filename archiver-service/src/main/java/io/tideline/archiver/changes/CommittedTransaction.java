package io.tideline.archiver.changes;

import io.tideline.core.wal.Lsn;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What one committed transaction destroyed, as read from the WAL before any name is known.
 *
 * @param deleted             heap tuples deleted per relation file, subtransactions included
 * @param updated             heap tuples updated (HOT or not) per relation file
 * @param droppedFiles        relation files the commit removed ({@code XACT_XINFO_HAS_RELFILENODES}):
 *                            DROP, TRUNCATE and rewrites alike
 * @param droppedRelationOids relations whose statistics the commit dropped ({@code XACT_XINFO_HAS_DROPPED_STATS},
 *                            PostgreSQL 15): the relations that ceased to exist, as (database, oid)
 * @param droppedDatabases    databases dropped ({@code XLOG_DBASE_DROP})
 * @param catalogChanged      the commit carried invalidation messages (it changed the catalog)
 */
record CommittedTransaction(long xid, Lsn commitEnd, Instant committedAt, boolean countsComplete,
                            Map<RelFile, Long> deleted, Map<RelFile, Long> updated, List<RelFile> droppedFiles,
                            Set<DatabaseObject> droppedRelationOids, List<Long> droppedDatabases, boolean catalogChanged) {

    /** An object of one database by oid. */
    record DatabaseObject(long database, long oid) {
    }

    /** Whether it destroyed anything at all (catalog rows, index entries and TOAST chunks included). */
    boolean destructive() {
        return !deleted.isEmpty() || !updated.isEmpty() || !droppedFiles.isEmpty() || !droppedDatabases.isEmpty();
    }
}
