package io.tideline.cli.audit;

import io.tideline.schemas.BackupCommand;
import io.tideline.schemas.BackupCompleted;
import io.tideline.schemas.BackupFailed;
import io.tideline.schemas.BackupStarted;
import io.tideline.schemas.InstanceRegistered;
import io.tideline.schemas.RestoreAccepted;
import io.tideline.schemas.RestoreCompleted;
import io.tideline.schemas.RestoreFailed;
import io.tideline.schemas.RestoreRejected;
import io.tideline.schemas.RestoreRequested;
import io.tideline.schemas.WalSegmentStored;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.specific.SpecificRecord;

/**
 * The invariants of the event log, checked over the whole replayed history (pure: no Kafka, no S3).
 * Events of one instance share a partition, so within an instance "before" is log order; across
 * topics it is {@link AuditEvent#CHRONOLOGICAL} order, which is what the events are given in.
 */
public final class AuditChecks {

    // Each check's name is a promise of the design, as a person would say it.
    public static final String DECODABLE = "every record decodes";
    public static final String BACKUP_STARTED_FIRST = "every completed backup was started first";
    public static final String BACKUP_HAS_COMMAND = "every backup answers a backup command";
    public static final String ONE_BACKUP_PER_COMMAND = "one command never makes two backups";
    public static final String BACKUP_SANE = "backups end after they start (time and LSN)";
    public static final String RESTORE_ANSWERS_REQUEST = "every restore answer has a request";
    public static final String RESTORE_ACCEPTED_FIRST = "no restore completed without being accepted";
    public static final String RESTORE_ONE_OUTCOME = "a restore ends once, into one new instance";
    public static final String RESTORED_INSTANCE_KNOWN = "every restored instance comes from an accepted restore";
    public static final String WAL_SAME_BYTES = "a complete WAL segment is stored with one checksum";

    private AuditChecks() {
    }

    /** Every broken invariant, in log order. */
    public static List<Finding> check(List<AuditEvent> chronological) {
        List<Finding> findings = new ArrayList<>();
        Set<String> commandIds = new HashSet<>();
        Set<String> startedBackups = new HashSet<>();
        Map<String, String> backupOfCommand = new HashMap<>();
        Set<String> requestedRestores = new HashSet<>();
        Map<String, String> acceptedRestores = new HashMap<>();
        Map<String, String> restoreOutcome = new HashMap<>();
        Set<String> rejectedRestores = new HashSet<>();
        Map<String, String> walChecksums = new HashMap<>();
        List<AuditEvent> backupEvents = new ArrayList<>();

        for (AuditEvent e : chronological) {
            if (e.record().decodeError().isPresent()) {
                findings.add(finding(DECODABLE, e, "cannot decode a record on " + e.record().topic() + ": "
                        + e.record().decodeError().get()));
                continue;
            }
            if (e.value().isEmpty()) {
                continue;
            }
            SpecificRecord v = e.value().get();
            if (v instanceof BackupCommand c) {
                commandIds.add(c.getCommandId());
            } else if (v instanceof RestoreRequested r) {
                requestedRestores.add(r.getRestoreId());
            }
            if (v instanceof BackupStarted || v instanceof BackupCompleted || v instanceof BackupFailed) {
                backupEvents.add(e);
            }
            if (v instanceof BackupStarted s) {
                startedBackups.add(key(e.instance(), s.getBackupId()));
            } else if (v instanceof BackupCompleted c) {
                if (!startedBackups.contains(key(e.instance(), c.getBackupId()))) {
                    findings.add(finding(BACKUP_STARTED_FIRST, e, "backup " + c.getBackupId() + " completed without a BackupStarted before it"));
                }
                String earlier = backupOfCommand.putIfAbsent(key(e.instance(), c.getCommandId()), c.getBackupId());
                if (earlier != null && !earlier.equals(c.getBackupId())) {
                    findings.add(finding(ONE_BACKUP_PER_COMMAND, e, "command " + c.getCommandId() + " completed two backups: "
                            + earlier + " and " + c.getBackupId()));
                }
                if (c.getFinishedAt().isBefore(c.getStartedAt())) {
                    findings.add(finding(BACKUP_SANE, e, "backup " + c.getBackupId() + " finished (" + c.getFinishedAt()
                            + ") before it started (" + c.getStartedAt() + ")"));
                }
                if (!lsnBefore(c.getStartLsn(), c.getEndLsn())) {
                    findings.add(finding(BACKUP_SANE, e, "backup " + c.getBackupId() + " ends at LSN " + c.getEndLsn()
                            + ", not after its start " + c.getStartLsn()));
                }
            } else if (v instanceof RestoreAccepted a) {
                requireRequest(findings, e, a.getRestoreId(), requestedRestores);
                String earlier = acceptedRestores.putIfAbsent(a.getRestoreId(), a.getNewInstanceId());
                if (earlier != null && !earlier.equals(a.getNewInstanceId())) {
                    findings.add(finding(RESTORE_ONE_OUTCOME, e, "restore " + a.getRestoreId() + " was accepted into two new instances: "
                            + earlier + " and " + a.getNewInstanceId()));
                }
            } else if (v instanceof RestoreRejected r) {
                requireRequest(findings, e, r.getRestoreId(), requestedRestores);
                rejectedRestores.add(r.getRestoreId());
                outcome(findings, e, r.getRestoreId(), "rejected", restoreOutcome);
            } else if (v instanceof RestoreCompleted c) {
                requireRequest(findings, e, c.getRestoreId(), requestedRestores);
                String accepted = acceptedRestores.get(c.getRestoreId());
                if (accepted == null) {
                    findings.add(finding(RESTORE_ACCEPTED_FIRST, e, "restore " + c.getRestoreId() + " completed without being accepted"));
                } else if (!accepted.equals(c.getNewInstanceId())) {
                    findings.add(finding(RESTORE_ONE_OUTCOME, e, "restore " + c.getRestoreId() + " was accepted into " + accepted
                            + " but completed into " + c.getNewInstanceId()));
                }
                if (rejectedRestores.contains(c.getRestoreId())) {
                    findings.add(finding(RESTORE_ACCEPTED_FIRST, e, "restore " + c.getRestoreId() + " completed after it was rejected"));
                }
                outcome(findings, e, c.getRestoreId(), "completed", restoreOutcome);
            } else if (v instanceof RestoreFailed f) {
                requireRequest(findings, e, f.getRestoreId(), requestedRestores);
                outcome(findings, e, f.getRestoreId(), "failed", restoreOutcome);
            } else if (v instanceof InstanceRegistered r && r.getRestoredFrom() != null) {
                String restoreId = r.getRestoredFrom().getRestoreId();
                String accepted = acceptedRestores.get(restoreId);
                if (accepted == null || !accepted.equals(r.getInstanceId())) {
                    findings.add(finding(RESTORED_INSTANCE_KNOWN, e, "instance " + r.getInstanceId() + " says it was restored by "
                            + restoreId + ", which accepted " + (accepted == null ? "no new instance" : accepted)));
                }
            } else if (v instanceof WalSegmentStored w && !w.getPartial()) {
                String segment = key(e.instance(), w.getTimeline() + "/" + w.getSegment());
                String earlier = walChecksums.putIfAbsent(segment, w.getSha256());
                if (earlier != null && !earlier.equalsIgnoreCase(w.getSha256())) {
                    findings.add(finding(WAL_SAME_BYTES, e, "segment " + w.getSegment() + " (timeline " + w.getTimeline()
                            + ") was stored with sha256 " + earlier + " and later " + w.getSha256()));
                }
            }
        }
        // Commands may sit on another topic with a later timestamp than the archiver's answer (clock
        // skew between producers): existence anywhere in the log is what counts.
        Set<String> reported = new HashSet<>();
        for (AuditEvent e : backupEvents) {
            String commandId = commandIdOf(e.value().orElseThrow());
            if (!commandIds.contains(commandId) && reported.add(key(e.instance(), commandId))) {
                findings.add(finding(BACKUP_HAS_COMMAND, e, e.type() + " answers command " + commandId + ", which is not in the log"));
            }
        }
        findings.sort(java.util.Comparator.comparing(Finding::check, java.util.Comparator.comparingInt(AuditChecks::order)));
        return findings;
    }

    private static int order(String check) {
        return List.of(DECODABLE, BACKUP_STARTED_FIRST, BACKUP_HAS_COMMAND, ONE_BACKUP_PER_COMMAND, BACKUP_SANE,
                RESTORE_ANSWERS_REQUEST, RESTORE_ACCEPTED_FIRST, RESTORE_ONE_OUTCOME, RESTORED_INSTANCE_KNOWN,
                WAL_SAME_BYTES, StoredWalCheck.CHECK).indexOf(check);
    }

    /** Every check name, in report order (the bucket check last; it runs only when the bucket is reachable). */
    public static List<String> names() {
        return List.of(DECODABLE, BACKUP_STARTED_FIRST, BACKUP_HAS_COMMAND, ONE_BACKUP_PER_COMMAND, BACKUP_SANE,
                RESTORE_ANSWERS_REQUEST, RESTORE_ACCEPTED_FIRST, RESTORE_ONE_OUTCOME, RESTORED_INSTANCE_KNOWN, WAL_SAME_BYTES);
    }

    private static void requireRequest(List<Finding> findings, AuditEvent e, String restoreId, Set<String> requested) {
        if (!requested.contains(restoreId)) {
            findings.add(finding(RESTORE_ANSWERS_REQUEST, e, e.type() + " for restore " + restoreId + ", which was never requested"));
        }
    }

    private static void outcome(List<Finding> findings, AuditEvent e, String restoreId, String what, Map<String, String> outcomes) {
        String earlier = outcomes.putIfAbsent(restoreId, what);
        if (earlier != null) {
            findings.add(finding(RESTORE_ONE_OUTCOME, e, "restore " + restoreId + " " + what + " after it had already " + earlier));
        }
    }

    private static String commandIdOf(SpecificRecord v) {
        if (v instanceof BackupStarted s) {
            return s.getCommandId();
        }
        if (v instanceof BackupCompleted c) {
            return c.getCommandId();
        }
        return ((BackupFailed) v).getCommandId();
    }

    private static boolean lsnBefore(String a, String b) {
        try {
            return io.tideline.core.wal.Lsn.parse(a).isBefore(io.tideline.core.wal.Lsn.parse(b));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static String key(String instance, String id) {
        return instance + "\u0000" + id;
    }

    private static Finding finding(String check, AuditEvent e, String message) {
        return new Finding(check, e.instance(), message, e.record().position());
    }
}
