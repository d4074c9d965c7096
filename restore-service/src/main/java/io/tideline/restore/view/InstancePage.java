package io.tideline.restore.view;

import io.tideline.core.ids.InstanceId;
import io.tideline.core.ids.RestoreId;
import io.tideline.core.registry.RegisteredInstance;
import io.tideline.core.window.TimeRange;
import io.tideline.core.window.WindowBreak;
import io.tideline.restore.RestoreValidator;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * What the instance page ({@code views/backups/instance.html}) shows, every value ready to print: times by
 * {@link ViewTimes}, sizes and durations in words. Built from the same {@link BackupsView} the JSON API returns.
 */
public record InstancePage(Head head, Window window, Form form, List<PhaseWord> phases, Changes changes,
                           List<BackupLine> backups, List<FailureLine> failures, List<RestoreLine> restores,
                           List<String> problems, String generatedAt) {

    /** The newest transactions the undo finder lists on the page; the rest through the CLI or the API. */
    static final int MAX_CHANGES_SHOWN = 50;

    /**
     * @param id     shown beside the name only where it differs from it
     * @param origin {@code restored from <source>} with a link, or null for an instance created as such
     * @param psql   how to connect (the password is the secret {@code passwordRef} of the secret store)
     */
    public record Head(String id, String name, boolean showId, String address, int postgresVersion, String database,
                       String bucket, String origin, String originHref, String psql, String passwordRef, String drills,
                       String drillFailure, String newestWal) {
    }

    /**
     * @param from     the earliest restorable moment, null when nothing is restorable
     * @param to       the latest
     * @param ranges   more than one when a break splits the window
     * @param breaks   between the ranges: WAL not uploaded yet, or a WAL gap
     * @param lag      how far the latest restorable moment is behind now
     */
    public record Window(String from, String to, List<Range> ranges, List<Break> breaks, String lag) {
        public boolean restorable() {
            return from != null;
        }
    }

    public record Range(String from, String to) {
    }

    public record Break(String after, String before, String words, boolean awaitingUpload) {
    }

    /**
     * @param suggestedName the name a restore gets when none is typed: sent as typed, so it is the name made
     * @param nameRule      {@link InstanceId#RULE}, the server's own check, run by the page before sending
     */
    public record Form(String restoresApi, String backupsApi, String suggestedName, String nameRule, String nameRuleText,
                       String sourceName) {
    }

    public record PhaseWord(String phase, String words) {
    }

    public record Changes(boolean readable, List<ChangeLine> shown, int total, String instanceId, List<String> problems) {
        public boolean more() {
            return total > shown.size();
        }
    }

    public record ChangeLine(String committedAt, long xid, String summary, boolean countsComplete, String undoTarget,
                             boolean undoable) {
    }

    public record BackupLine(String backupId, String reason, String startedAt, String consistentAt, String took, String raw,
                             String stored, String status, String statusClass, String restorableUntil, String note) {
    }

    public record FailureLine(String backupId, String failedAt, String reason) {
    }

    public record RestoreLine(String restoreId, String requestedAt, String target, String state, String stateClass,
                              String newInstanceId, String detail, boolean running, String requestedBy) {
    }

    static InstancePage of(BackupsView v, RegisteredInstance instance, ChangesView changes, Instant now, RestoreId suggestion) {
        return of(v, instance, changes, now, suggestion, new io.tideline.core.rto.ReplayRate(
                io.tideline.core.rto.ReplayRates.DEFAULT_BYTES_PER_SECOND, 0));
    }

    /** @param replayRate what the newest point's replay is estimated with (issue 18.6) */
    static InstancePage of(BackupsView v, RegisteredInstance instance, ChangesView changes, Instant now, RestoreId suggestion,
                           io.tideline.core.rto.ReplayRate replayRate) {
        InstanceSummary i = v.instance();
        return new InstancePage(head(v, instance, replayRate), window(v.window(), now),
                new Form("/api/instances/" + i.id() + "/restores", "/api/instances/" + i.id() + "/backups",
                        RestoreValidator.derivedId(InstanceId.of(i.id()), suggestion).value(), InstanceId.RULE,
                        InstanceId.RULE_TEXT, i.name()),
                RestorePhaseWords.all().entrySet().stream().map(e -> new PhaseWord(e.getKey(), e.getValue())).toList(),
                changes(v.window(), changes),
                v.backups().stream().map(InstancePage::backup).toList(),
                v.failures().stream().map(f -> new FailureLine(f.backupId(), ViewTimes.iso(f.failedAt()), f.reason())).toList(),
                v.restores().stream().map(InstancePage::restore).toList(),
                v.problems(), ViewTimes.iso(v.generatedAt()));
    }

    private static Head head(BackupsView v, RegisteredInstance instance, io.tideline.core.rto.ReplayRate replayRate) {
        InstanceSummary i = v.instance();
        String origin = instance.restoredFrom().map(o -> "restored from " + o.sourceInstanceId().value()).orElse(null);
        String originHref = instance.restoredFrom().map(o -> "/backups/" + o.sourceInstanceId().value()).orElse(null);
        BackupsView.Drills d = v.drills();
        String policy = "off".equals(d.policy()) ? "restore drills off" : "restore drills every " + d.policy();
        String drills = d.lastProvenAt() == null
                ? "Last proven restorable: never (no restore drill has passed yet) (" + policy + ")"
                : String.format(Locale.ROOT, "Last proven restorable: %s, drill %s, RTO %.1f s (%s)",
                        ViewTimes.iso(d.lastProvenAt()), d.lastProvenDrillId(), d.lastProvenRtoSeconds(), policy);
        String drillFailure = d.lastFailedAt() == null ? null
                : "Last restore drill failed at " + ViewTimes.iso(d.lastFailedAt()) + ": " + d.lastFailedReason();
        BackupsView.NewestWal n = v.newestWal();
        String newestWal = n == null ? null : "Newest stored WAL: " + n.segment()
                + (n.partial() ? " (partial, up to " + n.endLsn() + ")" : "") + ", stored " + ViewTimes.iso(n.storedAt())
                + newestPointReplay(v, instance, replayRate).map(r -> ". " + r).orElse("");
        return new Head(i.id(), i.name(), !i.id().equals(i.name()), i.host() + ":" + i.port(), i.postgresVersion(), i.database(),
                i.bucket(), origin, originHref,
                "psql -h " + i.host() + " -p " + i.port() + " -U " + instance.ownerUser() + " " + i.database(),
                instance.ownerSecret().value(), drills, drillFailure, newestWal);
    }

    /**
     * "A restore of the newest point: about 1 min of WAL replay (…); RTO budget 15 min" (issue 18.6): from the newest
     * restorable backup's start to the newest stored WAL's end, at the measured (or default) replay rate.
     */
    static java.util.Optional<String> newestPointReplay(BackupsView v, RegisteredInstance instance, io.tideline.core.rto.ReplayRate rate) {
        if (v.newestWal() == null) {
            return java.util.Optional.empty();
        }
        return v.backups().stream()
                .filter(b -> BackupsView.BackupRow.RESTORABLE.equals(b.status()) && b.startLsn() != null)
                .max(java.util.Comparator.comparing((BackupsView.BackupRow b) -> io.tideline.core.wal.Lsn.parse(b.startLsn())))
                .flatMap(b -> io.tideline.core.rto.NewestPointReplay.of(b.backupId(), io.tideline.core.wal.Lsn.parse(b.startLsn()),
                        io.tideline.core.wal.Lsn.parse(v.newestWal().endLsn()), rate))
                .map(r -> "A restore of the newest point: " + r.describe() + instance.rtoBudget()
                        .map(b -> "; RTO budget " + io.tideline.core.rto.ReplayRate.words(b)
                                + (r.estimated().compareTo(b) > 0 ? " (over it: the scheduler asks for a base backup)" : ""))
                        .orElse(""));
    }

    static Window window(BackupsView.Window w, Instant now) {
        if (w.from() == null) {
            return new Window(null, null, List.of(), List.of(), null);
        }
        List<TimeRange> ranges = w.ranges().stream().map(r -> new TimeRange(Instant.parse(r.from()), Instant.parse(r.to()))).toList();
        List<Range> shown = ranges.stream().map(r -> {
            String[] ends = ViewTimes.range(r.from(), r.to());
            return new Range(ends[0], ends[1]);
        }).toList();
        List<Break> breaks = WindowBreak.between(ranges, now).stream()
                .map(b -> new Break(ViewTimes.iso(b.lastBefore()), ViewTimes.iso(b.firstAfter()), b.describe(), b.awaitingUpload()))
                .toList();
        Instant latest = ranges.get(ranges.size() - 1).to();
        String lag = latest.isAfter(now) ? "0 s" : ViewTimes.duration(Duration.between(latest, now));
        return new Window(shown.get(0).from(), shown.get(shown.size() - 1).to(), shown, breaks, lag);
    }

    private static Changes changes(BackupsView.Window w, ChangesView changes) {
        if (changes == null) {
            return new Changes(false, List.of(), 0, null, List.of());
        }
        List<ChangesView.Change> newestFirst = new ArrayList<>(changes.transactions());
        Collections.reverse(newestFirst);
        List<ChangeLine> lines = newestFirst.subList(0, Math.min(MAX_CHANGES_SHOWN, newestFirst.size())).stream().map(c -> {
            Instant at = Instant.parse(c.committedAt());
            boolean undoable = w.from() != null && at.isAfter(Instant.parse(w.from())) && !at.isAfter(Instant.parse(w.to()));
            return new ChangeLine(ViewTimes.iso(at), c.xid(), String.join("; ", c.summary()), c.countsComplete(), c.undoTarget(),
                    undoable);
        }).toList();
        return new Changes(true, lines, changes.transactions().size(), changes.instanceId(), changes.problems());
    }

    private static BackupLine backup(BackupsView.BackupRow r) {
        String took = r.startedAt() == null || r.finishedAt() == null ? null
                : ViewTimes.duration(Duration.between(Instant.parse(r.startedAt()), Instant.parse(r.finishedAt())));
        return new BackupLine(r.backupId(), r.reason() == null ? null : words(r.reason()), ViewTimes.iso(r.startedAt()),
                ViewTimes.iso(r.finishedAt()), took, r.rawBytes() == null ? null : ViewTimes.size(r.rawBytes()),
                ViewTimes.size(r.storedBytes()), r.status().toLowerCase(Locale.ROOT), r.status().toLowerCase(Locale.ROOT),
                ViewTimes.iso(r.restorableUntil()), r.note());
    }

    private static RestoreLine restore(RestoreStatus r) {
        String requested = r.history().isEmpty() ? r.updatedAt() : r.history().get(0).at();
        String detail;
        if (r.reason() != null) {
            detail = r.reason();
        } else if (RestoreStatus.COMPLETED.equals(r.state()) && r.recoveredTo() != null) {
            detail = "recovered to " + ViewTimes.iso(r.recoveredTo());
        } else if (r.phase() != null) {
            detail = RestorePhaseWords.all().getOrDefault(r.phase(), r.phase()) + (r.message() == null ? "" : ": " + r.message());
        } else {
            detail = r.message();
        }
        return new RestoreLine(r.restoreId(), ViewTimes.iso(requested), target(r.target()), words(r.state()),
                r.state().toLowerCase(Locale.ROOT), r.newInstanceId(), detail, !r.isFinal(), r.requestedBy());
    }

    /** {@code ON_DEMAND} → {@code on demand}. */
    static String words(String constant) {
        return constant.toLowerCase(Locale.ROOT).replace('_', ' ');
    }

    /** A target as asked: a time in the view's precision, anything else ({@code latest}, {@code xid:4711}) as typed. */
    static String target(String target) {
        if (target == null) {
            return null;
        }
        try {
            return ViewTimes.iso(Instant.parse(target));
        } catch (DateTimeParseException notATime) {
            return target;
        }
    }
}
