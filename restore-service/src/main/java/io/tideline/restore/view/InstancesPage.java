package io.tideline.restore.view;

import io.tideline.core.registry.RegisteredInstance;
import java.time.Instant;
import java.util.List;

/** What the instance list ({@code views/backups/instances.html}) shows: per instance its state, last backup, window and lag. */
public record InstancesPage(List<Row> instances, String generatedAt) {

    /**
     * @param state      in words: {@code restorable}, {@code no backup yet}, {@code first backup under way},
     *                   {@code not restorable yet}, {@code bucket unreadable}
     * @param lastBackup when the newest restorable backup became consistent
     * @param archiveLag how far the latest restorable moment is behind now: WAL written and not yet stored
     * @param origin     {@code restored from <source>}, or null
     */
    public record Row(String id, String name, String state, String stateClass, String lastBackup, String windowFrom,
                      String windowTo, String archiveLag, String origin, String address, int postgresVersion) {
    }

    /** One instance's line; {@code view} null when its bucket could not be read. */
    static Row row(RegisteredInstance i, BackupsView view, Instant now) {
        String origin = i.restoredFrom().map(o -> "restored from " + o.sourceInstanceId().value()).orElse(null);
        String address = i.host() + ":" + i.port();
        if (view == null) {
            return new Row(i.id().value(), i.name(), "bucket unreadable", "failed", null, null, null, null, origin, address,
                    i.postgresVersion());
        }
        InstancePage.Window w = InstancePage.window(view.window(), now);
        String lastBackup = view.backups().stream().filter(b -> BackupsView.BackupRow.RESTORABLE.equals(b.status()))
                .map(BackupsView.BackupRow::finishedAt).map(Instant::parse).max(Instant::compareTo).map(ViewTimes::iso).orElse(null);
        String state;
        String stateClass;
        if (w.restorable()) {
            state = "restorable";
            stateClass = "restorable";
        } else if (view.backups().stream().allMatch(b -> BackupsView.BackupRow.INCOMPLETE.equals(b.status()))) {
            state = view.backups().isEmpty() ? "no backup yet" : "first backup under way";
            stateClass = "incomplete";
        } else {
            // Complete backups, none restorable: most often the WAL to a backup's end is not stored yet.
            state = "not restorable yet";
            stateClass = "incomplete";
        }
        return new Row(i.id().value(), i.name(), state, stateClass, lastBackup, w.from(), w.to(), w.lag(), origin, address,
                i.postgresVersion());
    }
}
