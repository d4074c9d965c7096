package io.tideline.core.changes;

import java.util.Objects;

/** How many rows one transaction deleted (or updated) in one relation file. */
public record RelationRows(Relation relation, long rows) {
    public RelationRows {
        Objects.requireNonNull(relation, "relation");
        if (rows < 1) {
            throw new IllegalArgumentException("rows must be positive: " + rows);
        }
    }
}
