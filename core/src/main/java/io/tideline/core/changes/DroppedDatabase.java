package io.tideline.core.changes;

/** A database a transaction dropped; {@code name} null when no snapshot knew it. */
public record DroppedDatabase(long oid, String name) {

    public String displayName() {
        return name != null ? name : "with oid " + oid + " (name unknown)";
    }
}
