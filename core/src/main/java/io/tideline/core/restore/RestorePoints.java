package io.tideline.core.restore;

import io.tideline.core.ids.InstanceId;
import io.tideline.core.storage.BucketLayout;
import io.tideline.core.storage.ObjectStore;
import io.tideline.core.storage.StoredObject;
import io.tideline.core.wal.Lsn;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;
import java.util.Optional;

/**
 * Makes a named restore point: {@code pg_create_restore_point(name)} on the instance, then the
 * {@link RestorePoint} it returned recorded in the instance's bucket. A name is used once per instance
 * (PostgreSQL's recovery stops at the first point with the name it meets, so a second one of the same name
 * could never be reached from a backup older than the first): a name already recorded is refused before
 * anything is written to WAL.
 */
public final class RestorePoints {

    private RestorePoints() {
    }

    /** The restore point recorded under {@code name}, if any. */
    public static Optional<RestorePoint> find(ObjectStore store, BucketLayout layout, String name) {
        Optional<StoredObject> head = store.head(layout.restorePoint(name));
        if (head.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(RestorePoint.parse(store.getVerified(layout.restorePoint(name))));
    }

    /**
     * @param db a superuser (or {@code pg_create_restore_point}-granted) connection to the instance
     * @throws IllegalArgumentException when the name is invalid or already used, with a sentence for the person
     */
    public static RestorePoint create(Connection db, ObjectStore store, BucketLayout layout, InstanceId instance, String name,
                                      String createdBy) throws SQLException {
        RestoreTarget.requireRestorePointName(name);
        Optional<RestorePoint> existing = find(store, layout, name);
        if (existing.isPresent()) {
            throw new IllegalArgumentException("restore point '" + name + "' already exists for " + instance + " (made "
                    + existing.get().createdAt() + " at WAL " + existing.get().lsn() + "): choose another name");
        }
        RestorePoint point;
        try (PreparedStatement ps = db.prepareStatement("SELECT pg_create_restore_point(?)::text, "
                + "pg_walfile_name(pg_current_wal_lsn()), clock_timestamp()")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                long timeline = Long.parseLong(rs.getString(2).substring(0, 8), 16);
                point = new RestorePoint(instance, name, Lsn.parse(rs.getString(1)), timeline,
                        rs.getTimestamp(3).toInstant(), createdBy);
            }
        }
        store.putIfAbsentOrSame(layout.restorePoint(name), point.toJson(),
                Map.of("restore-point-lsn", point.lsn().toString()));
        return point;
    }

    /** For logs and the CLI: {@code 'name' at WAL 0/3000028 (2026-…Z, timeline 1)}. */
    public static String describe(RestorePoint p) {
        return "'" + p.name() + "' at WAL " + p.lsn() + " (" + p.createdAt() + ", timeline " + p.timeline() + ")";
    }
}
