package io.tideline.restore.view;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Backups view lists backups newest first by when they started, not by the whole second in their ids. */
class BackupRowOrderTest {

    private static BackupsView.BackupRow row(String id, String startedAt) {
        return new BackupsView.BackupRow(id, startedAt == null ? null : 1L, null, null, startedAt, null, 0,
                startedAt == null ? BackupsView.BackupRow.INCOMPLETE : BackupsView.BackupRow.RESTORABLE, null, null, null, null);
    }

    @Test
    void newestFirstByStartTimeThenIdWithIncompleteBackupsByTheirIdsSecond() {
        List<BackupsView.BackupRow> rows = new ArrayList<>(List.of(
                row("20261124T080000Z-zzzz", "2026-11-24T08:00:00.100Z"),
                row("20261124T080000Z-aaaa", "2026-11-24T08:00:00.600Z"),   // same second, started later
                row("20261124T090000Z-bbbb", null),                           // no manifest yet: its id's second
                row("20261124T070000Z-cccc", "2026-11-24T07:00:00.000Z")));
        rows.sort(BackupsView.BackupRow.NEWEST_FIRST);
        assertEquals(List.of("20261124T090000Z-bbbb", "20261124T080000Z-aaaa", "20261124T080000Z-zzzz", "20261124T070000Z-cccc"),
                rows.stream().map(BackupsView.BackupRow::backupId).toList());
    }
}
