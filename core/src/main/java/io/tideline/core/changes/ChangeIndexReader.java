package io.tideline.core.changes;

import io.tideline.core.storage.BucketLayout;
import io.tideline.core.storage.ChecksumMismatchException;
import io.tideline.core.storage.NoSuchObjectException;
import io.tideline.core.storage.ObjectKind;
import io.tideline.core.storage.ObjectStore;
import io.tideline.core.storage.StoredObject;
import io.tideline.core.wal.WalSegmentName;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Reads the undo finder's index of one bucket: every change index object, a partial only when its segment's
 * complete index is not there, each checked against its sha256. What it cannot read is named in
 * {@link Result#problems()}, never guessed at. Storage errors (unreachable, refused) propagate.
 */
public final class ChangeIndexReader {

    private final BucketLayout layout;

    public ChangeIndexReader(BucketLayout layout) {
        this.layout = layout;
    }

    /** The destructive transactions found, oldest commit first, and what could not be read. */
    public record Result(List<IndexedTransaction> transactions, List<String> problems) {
    }

    /**
     * One note for the stored WAL objects that have no index (stored before the index existed, by an archiver
     * with it switched off, or whose index could not be written): what they hold is not listed.
     */
    private Optional<String> unindexed(ObjectStore store, List<ObjectKind.ChangeIndex> complete, List<ObjectKind.ChangeIndex> partials) {
        Set<ObjectKind.ChangeIndex> indexed = new HashSet<>(complete);
        indexed.addAll(partials);
        java.util.TreeSet<WalSegmentName> missing = new java.util.TreeSet<>();
        for (StoredObject o : store.list(layout.walPrefix())) {
            ObjectKind kind = layout.parse(o.key());
            if (kind instanceof ObjectKind.WalSegment w && !indexed.contains(new ObjectKind.ChangeIndex(w.segment(), false))) {
                missing.add(w.segment());
            } else if (kind instanceof ObjectKind.WalPartial w && !indexed.contains(new ObjectKind.ChangeIndex(w.segment(), true))
                    && !indexed.contains(new ObjectKind.ChangeIndex(w.segment(), false))) {
                missing.add(w.segment());
            }
        }
        if (missing.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(missing.size() + " stored WAL segment(s) have no change index (" + missing.first()
                + (missing.size() > 1 ? " .. " + missing.last() : "") + "): transactions in them are not listed");
    }

    /** Everything indexed with a commit at or after {@code since} (all when empty). */
    public Result read(ObjectStore store, Optional<Instant> since) {
        List<ObjectKind.ChangeIndex> complete = new ArrayList<>();
        List<ObjectKind.ChangeIndex> partials = new ArrayList<>();
        for (StoredObject o : store.list(layout.changesPrefix())) {
            if (layout.parse(o.key()) instanceof ObjectKind.ChangeIndex c) {
                (c.partial() ? partials : complete).add(c);
            }
        }
        Set<WalSegmentName> completeSegments = new HashSet<>();
        complete.forEach(c -> completeSegments.add(c.segment()));
        List<IndexedTransaction> found = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        List<ObjectKind.ChangeIndex> toRead = new ArrayList<>(complete);
        partials.stream().filter(p -> !completeSegments.contains(p.segment())).forEach(toRead::add);
        for (ObjectKind.ChangeIndex c : toRead) {
            String key = layout.keyOf(c);
            try {
                for (IndexedTransaction t : ChangeIndex.parseStored(store.getVerified(key)).transactions()) {
                    if (since.isEmpty() || !t.committedAt().isBefore(since.get())) {
                        found.add(t);
                    }
                }
            } catch (NoSuchObjectException e) {
                // a partial replaced by its segment since the listing, or expired: nothing to read
            } catch (IllegalArgumentException | ChecksumMismatchException e) {
                problems.add(key + " left out: " + e.getMessage());
            }
        }
        unindexed(store, complete, partials).ifPresent(problems::add);
        found.sort(Comparator.comparing(IndexedTransaction::committedAt).thenComparing(IndexedTransaction::timeline)
                .thenComparing(IndexedTransaction::commitEnd));
        return new Result(found, problems);
    }
}
