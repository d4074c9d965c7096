package io.tideline.restore.view;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.micronaut.serde.annotation.Serdeable;
import io.tideline.core.changes.IndexedTransaction;
import java.util.List;

/**
 * {@code GET /api/instances/{id}/changes}: the undo finder's list of an instance, oldest first — each
 * committed transaction that destroyed user data, as the archiver indexed it beside the WAL.
 *
 * @param problems index objects that could not be read (named, left out)
 */
@Serdeable
@JsonInclude(JsonInclude.Include.ALWAYS) // an empty list is an answer ("none"), not a missing field
public record ChangesView(String instanceId, List<Change> transactions, List<String> problems) {

    public ChangesView {
        transactions = List.copyOf(transactions);
        problems = List.copyOf(problems);
    }

    /**
     * @param summary    what it destroyed, one phrase per relation or database ({@code deleted 39,978 rows of public.orders})
     * @param undoTarget the restore target that stops just before it (with {@code exclusive: true})
     */
    @Serdeable
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Change(long xid, String committedAt, String commitEndLsn, long timeline, boolean countsComplete,
                         List<String> summary, long largestRowCount, String undoTarget) {

        static Change of(IndexedTransaction t) {
            return new Change(t.xid(), t.committedAt().toString(), t.commitEnd().toString(), t.timeline(), t.countsComplete(),
                    t.phrases(), t.largestRowCount(), "xid:" + t.xid());
        }
    }
}
