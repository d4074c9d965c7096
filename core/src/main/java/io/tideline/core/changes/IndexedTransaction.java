package io.tideline.core.changes;

import io.tideline.core.wal.Lsn;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * One committed transaction that destroyed something, as the WAL tells it. Rows are counted per relation
 * file from the heap records of the transaction and all its subtransactions (attributed to the top-level
 * xid); an aborted transaction never appears.
 *
 * @param timeline       the timeline whose WAL holds the commit record
 * @param xid            the top-level transaction id: the target of "restore to just before" (exclusive)
 * @param commitEnd      where the commit record ends
 * @param committedAt    the commit record's timestamp
 * @param countsComplete false when the scan began after the transaction did (an archiver restart in the
 *                       middle of it): its row counts are then a lower bound
 */
public record IndexedTransaction(long timeline, long xid, Lsn commitEnd, Instant committedAt, boolean countsComplete,
                                 List<RelationRows> deleted, List<RelationRows> updated,
                                 List<DroppedRelation> droppedRelations, List<DroppedDatabase> droppedDatabases) {

    public IndexedTransaction {
        Objects.requireNonNull(commitEnd, "commitEnd");
        Objects.requireNonNull(committedAt, "committedAt");
        deleted = List.copyOf(deleted);
        updated = List.copyOf(updated);
        droppedRelations = List.copyOf(droppedRelations);
        droppedDatabases = List.copyOf(droppedDatabases);
    }

    /** The most rows of one user relation this transaction deleted or updated. */
    public long largestRowCount() {
        long most = 0;
        for (List<RelationRows> rows : List.of(deleted, updated)) {
            for (RelationRows r : rows) {
                if (r.relation().isUserData()) {
                    most = Math.max(most, r.rows());
                }
            }
        }
        return most;
    }

    /** Whether it dropped or truncated a user relation or dropped a database (always listed, whatever the row filter). */
    public boolean destroyedWhole() {
        return !droppedDatabases.isEmpty() || droppedRelations.stream().anyMatch(d -> d.relation().isUserData());
    }

    /** Whether a user would see anything of it in a list (catalog-only changes, index and TOAST files are left out). */
    public boolean userVisible() {
        return destroyedWhole() || largestRowCount() > 0;
    }

    /** One phrase per thing destroyed, e.g. {@code deleted 39,978 rows of public.orders}. */
    public List<String> phrases() {
        List<String> phrases = new ArrayList<>();
        droppedDatabases.forEach(d -> phrases.add("dropped database " + d.displayName()));
        droppedRelations.stream().filter(d -> d.relation().isUserData())
                .forEach(d -> phrases.add(d.fate().verb() + " " + d.relation().displayName()));
        deleted.stream().filter(r -> r.relation().isUserData())
                .forEach(r -> phrases.add("deleted " + rows(r.rows()) + " of " + r.relation().displayName()));
        updated.stream().filter(r -> r.relation().isUserData())
                .forEach(r -> phrases.add("updated " + rows(r.rows()) + " of " + r.relation().displayName()));
        return phrases;
    }

    /** {@code xid 4711 at 10:14:03.217Z deleted 39,978 rows of public.orders}. */
    public String sentence() {
        String at = committedAt.toString();
        return "xid " + xid + " at " + at + " " + String.join(", ", phrases()) + (countsComplete ? "" : " (at least: counted from mid-transaction)");
    }

    private String rows(long n) {
        return String.format(Locale.ROOT, "%,d", n) + (n == 1 ? " row" : " rows");
    }
}
