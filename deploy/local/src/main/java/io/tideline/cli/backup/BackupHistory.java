package io.tideline.cli.backup;

import io.tideline.cli.events.Event;
import io.tideline.core.ids.BackupId;
import io.tideline.core.wal.Lsn;
import io.tideline.core.wal.WalSegmentName;
import io.tideline.core.window.BackupEntry;
import io.tideline.core.window.BucketInventory;
import io.tideline.core.window.ListedObject;
import io.tideline.core.window.RestorableWindow;
import io.tideline.core.window.TimeRange;
import io.tideline.core.window.WalEntry;
import io.tideline.schemas.ArtifactsExpired;
import io.tideline.schemas.BackupCommand;
import io.tideline.schemas.BackupCompleted;
import io.tideline.schemas.BackupFailed;
import io.tideline.schemas.BackupStarted;
import io.tideline.schemas.WalRange;
import io.tideline.schemas.WalSegmentStored;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.avro.specific.SpecificRecord;

/**
 * An instance's backups (from its events: reasons, failures, running ones) and its restorable window.
 * The window is core's one computation ({@link RestorableWindow}), over the bucket's own inventory when
 * the caller could read the bucket (what the restore service validates against), else over an inventory
 * rebuilt from the events that index the bucket: completed backups, the latest stored object of every
 * WAL segment, minus what retention expired.
 */
public final class BackupHistory {

    /** One backup as the history table shows it. */
    public record Row(String backupId, String reason, String requestedBy, Instant startedAt, Instant finishedAt,
                      Long bytesRaw, Long bytesStored, String startLsn, String endLsn, String status) {
    }

    /** The view: backups newest first, the restorable ranges oldest first, how far WAL is stored. */
    public record View(String instance, List<Row> backups, List<TimeRange> window, Optional<WalSegmentStored> newestWal,
                       String windowSource) {

        public Optional<Instant> from() {
            return window.isEmpty() ? Optional.empty() : Optional.of(window.get(0).from());
        }

        public Optional<Instant> to() {
            return window.isEmpty() ? Optional.empty() : Optional.of(window.get(window.size() - 1).to());
        }
    }

    private BackupHistory() {
    }

    /**
     * What the bucket says is restorable, as judged elsewhere: by {@link RestorableWindow} over the bucket's
     * inventory read here, or by the restore service's Backups view (which runs the same computation).
     *
     * @param source where the judgement comes from, for the output ({@code bucket}, {@code api})
     */
    public record Judgement(List<TimeRange> ranges, Set<String> restorableBackupIds, String source,
                            Map<String, String> damagedBackups) {
        public Judgement {
            ranges = List.copyOf(ranges);
            restorableBackupIds = Set.copyOf(restorableBackupIds);
            damagedBackups = Map.copyOf(damagedBackups);
        }

        public Judgement(List<TimeRange> ranges, Set<String> restorableBackupIds, String source) {
            this(ranges, restorableBackupIds, source, Map.of());
        }

        /** @param window computed with the known damage: a backup unusable because an object of it is damaged says so */
        public static Judgement of(RestorableWindow window, String source) {
            Set<String> ids = new HashSet<>();
            window.restorableBackups().forEach(r -> ids.add(r.backup().id().value()));
            Map<String, String> damaged = new HashMap<>();
            window.unusableBackups().stream()
                    .filter(u -> u.backup().objectsInDeletionOrder().stream().anyMatch(o -> window.damage().contains(o.key())))
                    .forEach(u -> damaged.put(u.backup().id().value(), u.reason()));
            return new Judgement(window.ranges(), ids, source, damaged);
        }
    }

    /** As {@link #of(String, List, long, Optional)}, with the window computed from the events. */
    public static View of(String instance, List<Event> events, long walSegmentSize) {
        return of(instance, events, walSegmentSize, Optional.empty());
    }

    /**
     * @param events          the timeline and backup-command records of the instance (others are ignored), in log order
     * @param walSegmentSize  the instance's segment size
     * @param judged          the window as the bucket's own inventory gives it, when it could be had
     */
    public static View of(String instance, List<Event> events, long walSegmentSize, Optional<Judgement> judged) {
        Map<String, BackupCommand> commands = new HashMap<>();
        Map<String, Row> rows = new LinkedHashMap<>();
        Map<String, BackupCompleted> completed = new LinkedHashMap<>();
        Map<String, WalSegmentStored> completeWal = new LinkedHashMap<>();
        Map<String, WalSegmentStored> partialWal = new LinkedHashMap<>();
        Set<String> expiredBackups = new HashSet<>();
        List<WalRange> expiredWal = new ArrayList<>();
        WalSegmentStored newest = null;
        for (Event e : events) {
            if (!instance.equals(e.key()) || e.value().isEmpty()) {
                continue;
            }
            SpecificRecord v = e.value().get();
            if (v instanceof BackupCommand c) {
                commands.put(c.getCommandId(), c);
            } else if (v instanceof BackupStarted s) {
                rows.put(s.getBackupId(), row(s.getBackupId(), commands.get(s.getCommandId()), s.getStartedAt(), null,
                        null, null, s.getStartLsn(), null, "running"));
            } else if (v instanceof BackupCompleted c) {
                completed.put(c.getBackupId(), c);
                rows.put(c.getBackupId(), row(c.getBackupId(), commands.get(c.getCommandId()), c.getStartedAt(), c.getFinishedAt(),
                        c.getBytesRaw(), c.getBytesStored(), c.getStartLsn(), c.getEndLsn(), "complete"));
            } else if (v instanceof BackupFailed f) {
                Row started = rows.get(f.getBackupId());
                rows.put(f.getBackupId(), row(f.getBackupId(), commands.get(f.getCommandId()),
                        started == null ? f.getStartedAt() : started.startedAt(), null, null, null,
                        started == null ? null : started.startLsn(), null, "failed: " + f.getReason()));
            } else if (v instanceof WalSegmentStored w) {
                (w.getPartial() ? partialWal : completeWal).put(w.getTimeline() + "/" + w.getSegment().toUpperCase(Locale.ROOT), w);
                if (newest == null || !Lsn.parse(w.getEndLsn()).isBefore(Lsn.parse(newest.getEndLsn()))) {
                    newest = w;
                }
            } else if (v instanceof ArtifactsExpired x) {
                expiredBackups.addAll(x.getExpiredBackupIds());
                expiredWal.addAll(x.getExpiredWal());
            }
        }
        BucketInventory.Builder inventory = BucketInventory.builder();
        for (BackupCompleted c : completed.values()) {
            if (expiredBackups.contains(c.getBackupId())) {
                continue;
            }
            inventory.backup(new BackupEntry(BackupId.parse(c.getBackupId()), c.getTimeline(), Lsn.parse(c.getStartLsn()),
                    Lsn.parse(c.getEndLsn()), c.getStartedAt(), c.getFinishedAt(),
                    new ListedObject(c.getManifestKey(), 1, c.getOccurredAt()),
                    List.of(new ListedObject(c.getManifestKey() + "#data", c.getBytesStored(), c.getOccurredAt()))));
        }
        for (Map.Entry<String, WalSegmentStored> w : completeWal.entrySet()) {
            if (!expired(w.getValue(), expiredWal)) {
                inventory.wal(WalEntry.complete(segment(w.getValue(), walSegmentSize), covered(w.getValue()), object(w.getValue())));
            }
        }
        for (Map.Entry<String, WalSegmentStored> w : partialWal.entrySet()) {
            // Once its segment is complete the partial object is removed from the bucket.
            if (!completeWal.containsKey(w.getKey()) && !expired(w.getValue(), expiredWal)) {
                WalSegmentStored p = w.getValue();
                inventory.wal(WalEntry.partial(segment(p, walSegmentSize), Lsn.parse(p.getEndLsn()), covered(p), object(p)));
            }
        }
        Judgement window = judged.orElseGet(() -> Judgement.of(RestorableWindow.of(inventory.build()), "events"));
        Set<String> restorable = window.restorableBackupIds();
        List<Row> table = new ArrayList<>();
        for (Row r : rows.values()) {
            String status = r.status();
            if (expiredBackups.contains(r.backupId())) {
                status = "expired";
            } else if (window.damagedBackups().containsKey(r.backupId())) {
                status = "DAMAGED: " + window.damagedBackups().get(r.backupId());
            } else if (status.equals("complete")) {
                status = restorable.contains(r.backupId()) ? "restorable" : "complete, WAL to its end not stored yet";
            }
            table.add(new Row(r.backupId(), r.reason(), r.requestedBy(), r.startedAt(), r.finishedAt(), r.bytesRaw(),
                    r.bytesStored(), r.startLsn(), r.endLsn(), status));
        }
        // By start time, not id: an id carries only the second it started.
        table.sort(Comparator.comparing((Row r) -> r.startedAt() != null ? r.startedAt() : BackupId.parse(r.backupId()).startSecond())
                .thenComparing(Row::backupId).reversed());
        return new View(instance, table, window.ranges(), Optional.ofNullable(newest), window.source());
    }

    private static Row row(String id, BackupCommand command, Instant started, Instant finished, Long raw, Long stored,
                           String startLsn, String endLsn, String status) {
        return new Row(id, command == null ? null : command.getReason().name(), command == null ? null : command.getRequestedBy(),
                started, finished, raw, stored, startLsn, endLsn, status);
    }

    private static WalSegmentName segment(WalSegmentStored w, long segmentSize) {
        return WalSegmentName.parse(w.getSegment(), segmentSize);
    }

    /**
     * The time the object is restorable to: the primary's time it covers, as the bucket's {@code stored-at}
     * says; the confirmation time only for events written before that was reported (later by the archive lag).
     */
    private static Instant covered(WalSegmentStored w) {
        return w.getCoveredUntil() != null ? w.getCoveredUntil() : w.getStoredAt();
    }

    private static ListedObject object(WalSegmentStored w) {
        return new ListedObject(w.getObjectKey(), w.getStoredBytes(), w.getStoredAt());
    }

    private static boolean expired(WalSegmentStored w, List<WalRange> ranges) {
        String segment = w.getSegment().toUpperCase(Locale.ROOT);
        return ranges.stream().anyMatch(r -> r.getTimeline() == w.getTimeline()
                && segment.compareTo(r.getFromSegment().toUpperCase(Locale.ROOT)) >= 0
                && segment.compareTo(r.getToSegment().toUpperCase(Locale.ROOT)) <= 0);
    }
}
