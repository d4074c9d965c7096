package io.tideline.cli.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tideline.cli.events.Event;
import io.tideline.core.kafka.Topics;
import io.tideline.schemas.BackupPhase;
import io.tideline.schemas.BackupProgress;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

class AuditHistoryTest {

    private static final Instant T0 = Instant.parse("2026-12-07T10:00:00Z");

    @Test
    void backupProgressIsOneLineInWordsPerPhaseNotAvroJson() {
        List<AuditEvent> log = List.of(
                event(0, progress(BackupPhase.STREAMING, 1024, 4L * 1024 * 1024)),
                event(1, progress(BackupPhase.STREAMING, 2048, 4L * 1024 * 1024)),
                event(2, progress(BackupPhase.WAITING_FOR_WAL, 4096, null)));
        List<AuditHistory.Line> lines = AuditHistory.of(log).get("src");
        assertEquals(2, lines.size(), lines.toString());
        assertEquals("backup progress", lines.get(0).what());
        assertEquals("backup b-1: streaming, 4.0 MiB to copy", lines.get(0).detail());
        assertEquals("backup b-1: waiting for wal", lines.get(1).detail());
        for (AuditHistory.Line line : lines) {
            assertFalse(line.detail().contains("{") || line.detail().contains("\""), line.detail());
        }
    }

    @Test
    void anEventWithoutASentenceIsShownAsNamedFields() {
        String words = AuditHistory.inWords(progress(BackupPhase.STREAMING, 10, null));
        assertTrue(words.startsWith("backup id b-1, command id c-1, phase STREAMING, bytes done 10"), words);
        assertFalse(words.contains("event id") || words.contains("{"), words);
    }

    private static BackupProgress progress(BackupPhase phase, long done, Long total) {
        return BackupProgress.newBuilder().setEventId(UUID.randomUUID()).setInstanceId("src").setOccurredAt(T0)
                .setBackupId("b-1").setCommandId("c-1").setPhase(phase).setBytesDone(done).setBytesTotal(total)
                .setBytesStored(0L).setMessage(null).build();
    }

    private static AuditEvent event(long offset, SpecificRecord value) {
        return new AuditEvent(T0.plusSeconds(offset), new Event(Topics.TIMELINE, 0, offset, "src", T0, Optional.of(value), Optional.empty()));
    }
}
