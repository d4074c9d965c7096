package io.tideline.core.changes;

import java.util.Objects;

/**
 * A relation file a commit removed. At {@code wal_level=replica} the WAL says only that the file went;
 * the catalog tells whether the relation went with it ({@link Fate#DROPPED}) or lives on in a new file
 * ({@link Fate#TRUNCATED}: {@code TRUNCATE}, but also a rewrite such as {@code VACUUM FULL}, {@code CLUSTER}
 * or a rewriting {@code ALTER TABLE}, which the WAL cannot tell apart). {@link Fate#DROPPED_OR_TRUNCATED}
 * when no snapshot was taken after the commit.
 */
public record DroppedRelation(Relation relation, Fate fate) {

    public enum Fate {
        DROPPED("dropped"), TRUNCATED("truncated (or rewrote)"), DROPPED_OR_TRUNCATED("dropped or truncated");

        private final String verb;

        Fate(String verb) {
            this.verb = verb;
        }

        public String verb() {
            return verb;
        }
    }

    public DroppedRelation {
        Objects.requireNonNull(relation, "relation");
        Objects.requireNonNull(fate, "fate");
    }
}
