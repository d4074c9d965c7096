/**
 * The undo finder's stored formats and their reader: per WAL object, the transactions committed in it that
 * destroyed something (rows deleted or updated per relation, relations dropped or truncated, databases
 * dropped), named from catalog snapshots. The archiver writes them beside the WAL ({@code changes/},
 * {@code catalog/} in {@link io.tideline.core.storage.BucketLayout}); the CLI and the restore view read them.
 */
package io.tideline.core.changes;
