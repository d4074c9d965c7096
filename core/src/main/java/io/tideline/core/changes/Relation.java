package io.tideline.core.changes;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.Set;

/**
 * A relation file as the WAL names it ({@code spcNode/dbNode/relNode}), with what the catalog snapshot in
 * force said it was. The name fields are null when no snapshot knew the file (created and dropped between
 * two snapshots).
 *
 * @param kind {@code pg_class.relkind}: {@code r} table, {@code m} materialized view, {@code t} TOAST,
 *             {@code i} index, {@code S} sequence; null when unknown
 */
public record Relation(long tablespace, long database, long relfilenode, String databaseName, String schema, String name,
                       String kind) {

    private static final Set<String> SYSTEM_SCHEMAS = Set.of("pg_catalog", "pg_toast", "information_schema");

    public boolean named() {
        return name != null;
    }

    /** {@code schema.table}, or the file's numbers when no snapshot named it. */
    public String displayName() {
        if (named()) {
            return schema + "." + name;
        }
        return "relation file " + tablespace + "/" + database + "/" + relfilenode + " (name unknown)";
    }

    /**
     * What a user would call a row of theirs: a table or materialized view outside the system schemas, or a
     * file no snapshot named (it may have been one). TOAST chunks, index entries and catalog rows are not.
     */
    @JsonIgnore
    public boolean isUserData() {
        if (!named()) {
            return true;
        }
        return ("r".equals(kind) || "m".equals(kind)) && !SYSTEM_SCHEMAS.contains(schema);
    }
}
