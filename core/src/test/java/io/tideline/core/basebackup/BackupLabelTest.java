package io.tideline.core.basebackup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tideline.core.wal.Lsn;
import java.util.List;
import org.junit.jupiter.api.Test;

class BackupLabelTest {

    /** As PostgreSQL 15.18 wrote it into a pg_basebackup tar on this machine. */
    static final String LABEL = """
            START WAL LOCATION: 0/2000028 (file 000000010000000000000002)
            CHECKPOINT LOCATION: 0/2000060
            BACKUP METHOD: streamed
            BACKUP FROM: primary
            START TIME: 2026-11-24 08:45:32 UTC
            LABEL: pg_basebackup base backup
            START TIMELINE: 1
            """;

    @Test
    void readsStartPointCheckpointAndTimeline() {
        BackupLabel label = BackupLabel.parse(LABEL);
        assertEquals(Lsn.parse("0/2000028"), label.startLsn());
        assertEquals(Lsn.parse("0/2000060"), label.checkpointLsn());
        assertEquals(1, label.timeline());
        assertFalse(label.fromStandby());
    }

    @Test
    void aStandbysLabelSaysSo() {
        BackupLabel label = BackupLabel.parse(LABEL.replace("BACKUP FROM: primary", "BACKUP FROM: standby")
                .replace("START TIMELINE: 1", "START TIMELINE: 3"));
        assertTrue(label.fromStandby());
        assertEquals(3, label.timeline());
    }

    @Test
    void missingOrMalformedLinesAreNamed() {
        for (String broken : List.of(
                LABEL.replace("START WAL LOCATION: 0/2000028 (file 000000010000000000000002)\n", ""),
                LABEL.replace("START TIMELINE: 1", "START TIMELINE: one"),
                LABEL.replace("0/2000028 (file", "0/20000Z8 (file"),
                LABEL.replace("CHECKPOINT LOCATION: 0/2000060", "CHECKPOINT LOCATION: 0/2000000"))) {
            assertThrows(IllegalArgumentException.class, () -> BackupLabel.parse(broken), broken);
        }
    }
}
