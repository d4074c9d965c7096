package io.tideline.restore.view;

import io.tideline.core.ids.InstanceId;
import io.tideline.restore.drill.DrillHistory;
import io.tideline.core.verify.KnownCorruptions;
import io.tideline.core.window.BucketInventory;
import io.tideline.core.window.Damage;
import io.tideline.schemas.ObjectCorrupted;
import io.tideline.core.events.BackupCommands;
import io.tideline.core.ids.CommandId;
import io.tideline.schemas.BackupCompleted;
import io.tideline.schemas.BackupFailed;
import io.tideline.schemas.BackupStarted;
import io.tideline.schemas.RestoreAccepted;
import io.tideline.schemas.RestoreCompleted;
import io.tideline.schemas.RestoreFailed;
import io.tideline.schemas.RestoreProgress;
import io.tideline.schemas.RestoreRejected;
import io.tideline.schemas.RestoreRequested;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.specific.SpecificRecord;

/**
 * What the Backups view remembers from the event log: the status of every restore (from
 * {@code tideline.restore-requests} and {@code tideline.restore-events}) and the last failed backups of
 * each instance (from {@code tideline.timeline}). Pure and thread-safe; applying an event twice changes
 * nothing, and a final state (completed, rejected, failed) is never left again.
 */
public final class ViewEvents {

    /** The damage of {@code inventory} the event log names and that still applies (not expired, not replaced). */
    public Damage damageIn(InstanceId instance, BucketInventory inventory) {
        return corruptions.damageIn(instance, inventory);
    }

    /** Failed backups kept per instance: the page shows recent trouble, the topic keeps the whole history. */
    public static final int FAILURES_KEPT = 20;

    /** A backup that ended without a restorable result. */
    public record Failure(String backupId, String commandId, Optional<Instant> startedAt, Instant failedAt, String reason) {
    }

    /**
     * What the timeline says of a backup and its bucket does not: the command that asked for it (so why it was
     * taken: daily, on demand, after a WAL gap, ...) and, once completed, its raw (uncompressed) size.
     */
    public record BackupFacts(String commandId, Optional<Long> bytesRaw) {

        /** {@code DAILY}, {@code ON_DEMAND}, ...; empty for a command id of no known kind. */
        public Optional<String> reason() {
            try {
                return Optional.of(BackupCommands.reasonOf(CommandId.parse(commandId)).name());
            } catch (RuntimeException unknownKind) {
                return Optional.empty();
            }
        }
    }

    private final Map<String, RestoreStatus> restores = new HashMap<>();
    /** By backup id; one small entry per backup the timeline names (the page shows them beside the bucket's rows). */
    private final Map<String, BackupFacts> backups = new HashMap<>();
    /** Damaged objects ({@code ObjectCorrupted}): the view cuts the window at those still stored. */
    private final KnownCorruptions corruptions = new KnownCorruptions();
    private final Map<InstanceId, Deque<Failure>> failures = new HashMap<>();
    private final DrillHistory drills = new DrillHistory();
    /** Replay rates restores measured (issue 18.6): the view's estimate of the newest point's replay. */
    private final io.tideline.core.rto.ReplayRates replayRates = io.tideline.core.rto.ReplayRates.withDefaults();

    /** Restore drills of every instance (from {@code tideline.timeline}): the "last proven restorable" line. */
    public DrillHistory drills() {
        return drills;
    }

    public synchronized void apply(SpecificRecord event) {
        drills.apply(event);
        if (event instanceof io.tideline.schemas.RestoreDrillCompleted drill) {
            replayRates.record(drill);
        }
        if (event instanceof ObjectCorrupted c) {
            corruptions.apply(c);
        } else if (event instanceof BackupStarted s) {
            backups.putIfAbsent(s.getBackupId(), new BackupFacts(s.getCommandId(), Optional.empty()));
        } else if (event instanceof BackupCompleted c) {
            backups.put(c.getBackupId(), new BackupFacts(c.getCommandId(), Optional.of(c.getBytesRaw())));
        } else if (event instanceof BackupFailed f) {
            Deque<Failure> list = failures.computeIfAbsent(InstanceId.of(f.getInstanceId()), i -> new ArrayDeque<>());
            if (list.stream().noneMatch(x -> x.backupId().equals(f.getBackupId()))) {
                list.addFirst(new Failure(f.getBackupId(), f.getCommandId(), Optional.ofNullable(f.getStartedAt()),
                        f.getOccurredAt(), f.getReason()));
                while (list.size() > FAILURES_KEPT) {
                    list.removeLast();
                }
            }
        } else if (event instanceof RestoreRequested r) {
            RestoreStatus known = restores.get(r.getRestoreId());
            if (known == null) {
                restores.put(r.getRestoreId(), new RestoreStatus(r.getRestoreId(), r.getInstanceId(), RestoreStatus.REQUESTED,
                        r.getTarget(), r.getNewName(), null, null, null, null, null, null, null, null, null,
                        r.getOccurredAt().toString(), List.of(step(r.getOccurredAt(), "RestoreRequested",
                                "requested by " + r.getRequestedBy() + " to " + r.getTarget())), r.getRequestedBy()));
            }
        } else if (event instanceof RestoreAccepted a) {
            update(a.getRestoreId(), a.getInstanceId(), a.getOccurredAt(), "RestoreAccepted",
                    "accepted: from backup " + a.getBackupId() + " into new instance " + a.getNewInstanceId(),
                    s -> with(s, RestoreStatus.ACCEPTED, a.getTarget(), a.getNewInstanceId(), a.getBackupId(), s.phase(),
                            s.message(), s.bytesDone(), s.bytesTotal(), null, null, null));
        } else if (event instanceof RestoreProgress p) {
            update(p.getRestoreId(), p.getInstanceId(), p.getOccurredAt(), "RestoreProgress",
                    RestorePhaseWords.of(p.getPhase()) + (p.getMessage() == null ? "" : ": " + p.getMessage()),
                    s -> with(s, RestoreStatus.IN_PROGRESS, s.target(), s.newInstanceId(), s.backupId(), p.getPhase().name(),
                            withReplayTime(p), p.getBytesDone(), p.getBytesTotal(), null, null, null));
        } else if (event instanceof RestoreCompleted c) {
            replayRates.record(c);
            update(c.getRestoreId(), c.getInstanceId(), c.getOccurredAt(), "RestoreCompleted",
                    "completed: instance " + c.getNewInstanceId() + " recovered to " + c.getRecoveredTo(),
                    s -> with(s, RestoreStatus.COMPLETED, s.target(), c.getNewInstanceId(), s.backupId(), s.phase(),
                            s.message(), s.bytesDone(), s.bytesTotal(), null,
                            new RestoreStatus.Connection(c.getHost(), c.getPort(), c.getDatabase(), c.getUser(), c.getSecretRef()),
                            c.getRecoveredTo().toString()));
        } else if (event instanceof RestoreRejected r) {
            update(r.getRestoreId(), r.getInstanceId(), r.getOccurredAt(), "RestoreRejected", "rejected: " + r.getReason(),
                    s -> with(s, RestoreStatus.REJECTED, s.target(), s.newInstanceId(), s.backupId(), s.phase(), s.message(),
                            s.bytesDone(), s.bytesTotal(), r.getReason(), null, null));
        } else if (event instanceof RestoreFailed f) {
            update(f.getRestoreId(), f.getInstanceId(), f.getOccurredAt(), "RestoreFailed", "failed: " + f.getReason(),
                    s -> with(s, RestoreStatus.FAILED, s.target(),
                            f.getNewInstanceId() != null ? f.getNewInstanceId() : s.newInstanceId(), s.backupId(), s.phase(),
                            s.message(), s.bytesDone(), s.bytesTotal(), f.getReason(), null, null));
        }
    }

    /**
     * The progress's message led by how far replay got in time ("replayed to … of …", the view's one precision),
     * while the server replays (issue 18.6). Only in the status: the history keeps one line per message.
     */
    static String withReplayTime(RestoreProgress p) {
        if (p.getReplayedTo() == null) {
            return p.getMessage();
        }
        String replay = "replayed to " + ViewTimes.iso(p.getReplayedTo())
                + (p.getReplayTarget() == null ? "" : " of " + ViewTimes.iso(p.getReplayTarget()));
        return p.getMessage() == null ? replay : replay + "; " + p.getMessage();
    }

    /** The replay rate to estimate {@code instance}'s restores with (measured, else the default). */
    public io.tideline.core.rto.ReplayRate replayRate(InstanceId instance) {
        return replayRates.rateFor(instance.value());
    }

    /** A request this process just published: known at once, before its event is read back. */
    public synchronized void requested(RestoreRequested request) {
        apply(request);
    }

    /** What the timeline said of backup {@code backupId}, if anything. */
    public synchronized Optional<BackupFacts> backup(String backupId) {
        return Optional.ofNullable(backups.get(backupId));
    }

    public synchronized Optional<RestoreStatus> restore(String restoreId) {
        return Optional.ofNullable(restores.get(restoreId));
    }

    /** Restores requested or accepted and not finished, of any instance: the names they ask for are taken (issue 16). */
    public synchronized List<RestoreStatus> unfinished() {
        return restores.values().stream().filter(r -> !r.isFinal()).toList();
    }

    /** Restores of {@code instance}, newest first. */
    public synchronized List<RestoreStatus> restoresOf(InstanceId instance) {
        List<RestoreStatus> of = new ArrayList<>(restores.values().stream()
                .filter(r -> r.instanceId().equals(instance.value())).toList());
        of.sort((x, y) -> y.history().get(0).at().compareTo(x.history().get(0).at()));
        return of;
    }

    /** The last {@value #FAILURES_KEPT} failed backups of {@code instance}, newest first. */
    public synchronized List<Failure> failures(InstanceId instance) {
        return List.copyOf(failures.getOrDefault(instance, new ArrayDeque<>()));
    }

    private void update(String restoreId, String instanceId, Instant at, String event, String text,
                        java.util.function.UnaryOperator<RestoreStatus> change) {
        RestoreStatus current = restores.get(restoreId);
        if (current == null) {
            // Events of a request this view never saw (published before the topics' retention, or by a test).
            current = new RestoreStatus(restoreId, instanceId, RestoreStatus.REQUESTED, null, null, null, null, null, null,
                    null, null, null, null, null, at.toString(), List.of(), null);
        }
        if (current.isFinal()) {
            return;
        }
        RestoreStatus.Step step = step(at, event, text);
        if (current.history().contains(step)) {
            return; // redelivered
        }
        RestoreStatus changed = change.apply(current);
        List<RestoreStatus.Step> history = new ArrayList<>(current.history());
        RestoreStatus.Step last = history.isEmpty() ? null : history.get(history.size() - 1);
        // Progress repeats its phase every few seconds with new byte counts: one line per phase (the counts are
        // in the status itself), not one per report.
        if (last == null || !last.event().equals(step.event()) || !last.text().equals(step.text())) {
            history.add(step);
        }
        restores.put(restoreId, new RestoreStatus(changed.restoreId(), changed.instanceId(), changed.state(), changed.target(),
                changed.newName(), changed.newInstanceId(), changed.backupId(), changed.phase(), changed.message(),
                changed.bytesDone(), changed.bytesTotal(), changed.reason(), changed.connection(), changed.recoveredTo(),
                at.toString(), history, changed.requestedBy()));
    }

    private static RestoreStatus with(RestoreStatus s, String state, String target, String newInstanceId, String backupId,
                                      String phase, String message, Long bytesDone, Long bytesTotal, String reason,
                                      RestoreStatus.Connection connection, String recoveredTo) {
        return new RestoreStatus(s.restoreId(), s.instanceId(), state, target, s.newName(), newInstanceId, backupId, phase,
                message, bytesDone, bytesTotal, reason, connection, recoveredTo, s.updatedAt(), s.history(), s.requestedBy());
    }

    private static RestoreStatus.Step step(Instant at, String event, String text) {
        return new RestoreStatus.Step(at.toString(), event, text);
    }
}
