package io.tideline.cli.audit;

import io.tideline.cli.output.Progress;
import io.tideline.schemas.ArtifactsExpired;
import io.tideline.schemas.BackupCommand;
import io.tideline.schemas.BackupCompleted;
import io.tideline.schemas.BackupFailed;
import io.tideline.schemas.BackupProgress;
import io.tideline.schemas.BackupStarted;
import io.tideline.schemas.DeadLetter;
import io.tideline.schemas.InstanceRegistered;
import io.tideline.schemas.RestoreAccepted;
import io.tideline.schemas.RestoreCancelRequested;
import io.tideline.schemas.RestoreCompleted;
import io.tideline.schemas.RestoreFailed;
import io.tideline.schemas.RestoreProgress;
import io.tideline.schemas.RestoreRejected;
import io.tideline.schemas.ObjectCorrupted;
import io.tideline.schemas.RestoreRequested;
import io.tideline.schemas.WalGapDetected;
import io.tideline.schemas.WalSegmentStored;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;

/**
 * The log told per instance, for a person: one line per event, with runs of WAL uploads and of
 * restore progress folded into one line each (a day of WAL is thousands of events).
 */
public final class AuditHistory {

    /** One line of an instance's history. */
    public record Line(Instant at, String what, String detail, int events) {
    }

    private AuditHistory() {
    }

    /** Instance id → its lines in UTC order; instances in the order they first appear. */
    public static Map<String, List<Line>> of(List<AuditEvent> chronological) {
        Map<String, List<Line>> history = new LinkedHashMap<>();
        Map<String, WalRun> openRuns = new HashMap<>();
        Map<String, String> restorePhase = new HashMap<>();
        Map<String, String> backupPhase = new HashMap<>();
        for (AuditEvent e : chronological) {
            String instance = e.instance();
            List<Line> lines = history.computeIfAbsent(instance, k -> new ArrayList<>());
            if (e.value().isPresent() && e.value().get() instanceof WalSegmentStored w) {
                WalRun run = openRuns.get(instance);
                if (run == null || run.line != lines.size() - 1) {
                    run = new WalRun(lines.size(), e.at(), w);
                    openRuns.put(instance, run);
                    lines.add(null);
                }
                run.add(w);
                lines.set(run.line, run.toLine());
                continue;
            }
            if (e.value().isPresent() && e.value().get() instanceof RestoreProgress p) {
                String phase = p.getPhase().name();
                if (phase.equals(restorePhase.put(p.getRestoreId(), phase))) {
                    continue;
                }
                lines.add(new Line(e.at(), "restore progress", "restore " + p.getRestoreId() + ": "
                        + phase.toLowerCase(Locale.ROOT).replace('_', ' ') + (p.getMessage() == null ? "" : " (" + p.getMessage() + ")"), 1));
                continue;
            }
            if (e.value().isPresent() && e.value().get() instanceof BackupProgress p) {
                // Like a restore's: one line per phase, in words (a backup reports its bytes every few seconds).
                String phase = p.getPhase().toString();
                if (phase.equals(backupPhase.put(p.getBackupId(), phase))) {
                    continue;
                }
                lines.add(new Line(e.at(), "backup progress", "backup " + p.getBackupId() + ": "
                        + phase.toLowerCase(Locale.ROOT).replace('_', ' ')
                        + (p.getBytesTotal() == null ? "" : ", " + Progress.bytes(p.getBytesTotal()) + " to copy")
                        + (p.getMessage() == null ? "" : " (" + p.getMessage() + ")"), 1));
                continue;
            }
            lines.add(new Line(e.at(), what(e), detail(e), 1));
        }
        return history;
    }

    private static String what(AuditEvent e) {
        if (e.record().decodeError().isPresent()) {
            return "UNDECODABLE";
        }
        if (e.value().isEmpty()) {
            return "removed";
        }
        return switch (e.value().get().getSchema().getName()) {
            case "InstanceRegistered" -> "registered";
            case "BackupCommand" -> "backup requested";
            case "BackupStarted" -> "backup started";
            case "BackupCompleted" -> "backup completed";
            case "BackupFailed" -> "BACKUP FAILED";
            case "WalGapDetected" -> "WAL GAP";
            case "ArtifactsExpired" -> "expired";
            case "ObjectCorrupted" -> "OBJECT DAMAGED";
            case "RestoreRequested" -> "restore requested";
            case "RestoreCancelRequested" -> "restore cancel asked";
            case "RestoreAccepted" -> "restore accepted";
            case "RestoreRejected" -> "restore rejected";
            case "RestoreCompleted" -> "restore completed";
            case "RestoreFailed" -> "RESTORE FAILED";
            case "DeadLetter" -> "DEAD LETTER";
            case "RestoreDrillCompleted" -> "restore drill passed";
            case "RestoreDrillFailed" -> "RESTORE DRILL FAILED";
            default -> e.type();
        };
    }

    private static String detail(AuditEvent e) {
        if (e.record().decodeError().isPresent()) {
            return e.record().position() + ": " + e.record().decodeError().get();
        }
        if (e.value().isEmpty()) {
            return "tombstone on " + e.record().topic();
        }
        SpecificRecord v = e.value().get();
        if (v instanceof InstanceRegistered r) {
            return r.getName() + " at " + r.getHost() + ":" + r.getPort() + ", bucket " + r.getBucket()
                    + (r.getRestoredFrom() == null ? "" : ", restored from " + r.getRestoredFrom().getSourceInstanceId()
                    + " (restore " + r.getRestoredFrom().getRestoreId() + ")");
        }
        if (v instanceof BackupCommand c) {
            return c.getReason() + " by " + c.getRequestedBy() + ", command " + c.getCommandId();
        }
        if (v instanceof BackupStarted s) {
            return s.getBackupId() + " on timeline " + s.getTimeline() + " from LSN " + s.getStartLsn() + " (command " + s.getCommandId() + ")";
        }
        if (v instanceof BackupCompleted c) {
            return c.getBackupId() + ": LSN " + c.getStartLsn() + ".." + c.getEndLsn() + ", consistent at " + c.getFinishedAt()
                    + ", " + Progress.bytes(c.getBytesRaw()) + " -> " + Progress.bytes(c.getBytesStored()) + " stored";
        }
        if (v instanceof BackupFailed f) {
            return f.getBackupId() + ": " + f.getReason();
        }
        if (v instanceof WalGapDetected g) {
            return "timeline " + g.getTimeline() + " from " + g.getMissingFromLsn()
                    + (g.getMissingToLsn() == null ? "" : " to " + g.getMissingToLsn()) + ": " + g.getReason();
        }
        if (v instanceof ArtifactsExpired x) {
            return x.getExpiredBackupIds().size() + " backups, " + x.getObjectsDeleted() + " objects, "
                    + Progress.bytes(x.getBytesFreed()) + " freed; kept from backup " + x.getKeptBackupId()
                    + " (cutoff " + x.getRetentionCutoff() + ")";
        }
        if (v instanceof ObjectCorrupted c) {
            return c.getKey() + " (found by " + c.getFoundBy() + "): " + c.getReason()
                    + (c.getCutsWindowEnd() ? "; ends the window early" : "");
        }
        if (v instanceof RestoreRequested r) {
            return r.getRestoreId() + " to " + r.getTarget() + " by " + r.getRequestedBy()
                    + (r.getNewName() == null ? "" : ", new name " + r.getNewName());
        }
        if (v instanceof RestoreCancelRequested c) {
            return c.getRestoreId() + " by " + c.getRequestedBy();
        }
        if (v instanceof RestoreAccepted a) {
            return a.getRestoreId() + ": new instance " + a.getNewInstanceId() + " from backup " + a.getBackupId() + ", target " + a.getTarget();
        }
        if (v instanceof RestoreRejected r) {
            return r.getRestoreId() + ": " + r.getReason();
        }
        if (v instanceof RestoreCompleted c) {
            return c.getRestoreId() + ": " + c.getNewInstanceId() + " at " + c.getHost() + ":" + c.getPort() + ", recovered to "
                    + c.getRecoveredTo() + (c.getWalReplayedThroughSegment() == null ? "" : ", WAL through " + c.getWalReplayedThroughSegment());
        }
        if (v instanceof RestoreFailed f) {
            return f.getRestoreId() + ": " + f.getReason();
        }
        if (v instanceof io.tideline.schemas.RestoreDrillCompleted d) {
            return d.getDrillId() + ": " + d.getRuns().stream().map(r -> r.getTarget() + " " + r.getTargetTime() + " from "
                    + r.getBackupId() + " in " + r.getRtoMillis() + " ms").collect(java.util.stream.Collectors.joining(", "))
                    + "; RTO " + d.getRtoMillis() + " ms";
        }
        if (v instanceof io.tideline.schemas.RestoreDrillFailed d) {
            return d.getDrillId() + ": " + d.getReason();
        }
        if (v instanceof DeadLetter d) {
            return d.getTopic() + "-" + d.getPartition() + "@" + d.getOffset() + " in " + d.getConsumerGroup() + " after "
                    + d.getAttempts() + " attempt(s): " + d.getError();
        }
        return inWords(v);
    }

    /**
     * An event this history has no sentence for (a type added later): its fields as {@code name value}, not
     * Avro's JSON; the ids every event carries are left out (the line has the time and the instance).
     */
    static String inWords(SpecificRecord v) {
        StringBuilder s = new StringBuilder();
        for (org.apache.avro.Schema.Field f : v.getSchema().getFields()) {
            Object value = v.get(f.pos());
            if (value == null || java.util.Set.of("eventId", "instanceId", "occurredAt").contains(f.name())) {
                continue;
            }
            s.append(s.isEmpty() ? "" : ", ").append(f.name().replaceAll("([a-z])([A-Z])", "$1 $2").toLowerCase(Locale.ROOT))
                    .append(' ').append(value);
        }
        return s.toString();
    }

    /** Consecutive WAL uploads of one instance, folded. */
    private static final class WalRun {
        final int line;
        final Instant from;
        String firstSegment;
        String lastSegment;
        String endLsn;
        long timeline;
        int uploads;
        int partials;
        Instant to;

        WalRun(int line, Instant from, WalSegmentStored first) {
            this.line = line;
            this.from = from;
            this.firstSegment = first.getSegment();
        }

        void add(WalSegmentStored w) {
            uploads++;
            if (w.getPartial()) {
                partials++;
            }
            lastSegment = w.getSegment();
            endLsn = w.getEndLsn();
            timeline = w.getTimeline();
            to = w.getStoredAt();
        }

        Line toLine() {
            String segments = firstSegment.equals(lastSegment) ? "segment " + firstSegment : "segments " + firstSegment + ".." + lastSegment;
            return new Line(from, "WAL stored", uploads + " upload" + (uploads == 1 ? "" : "s") + " (" + partials + " partial), "
                    + segments + ", up to LSN " + endLsn + " on timeline " + timeline + ", last at " + to, uploads);
        }
    }
}
