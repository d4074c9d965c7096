package io.tideline.restore.view;

import io.tideline.core.changes.ChangeIndexReader;
import io.tideline.core.changes.IndexedTransaction;
import io.tideline.core.ids.InstanceId;
import io.tideline.core.inventory.BucketInventoryReader;
import io.tideline.core.registry.InstanceRegistry;
import io.tideline.core.registry.RegisteredInstance;
import io.tideline.core.storage.BucketLayout;
import io.tideline.core.storage.ObjectStores;
import io.tideline.core.window.BackupEntry;
import io.tideline.core.window.BucketInventory;
import io.tideline.core.window.Damage;
import io.tideline.core.window.IncompleteBackup;
import io.tideline.core.window.ListedObject;
import io.tideline.core.window.RestorableBackup;
import io.tideline.core.window.RestorableWindow;
import io.tideline.core.window.UnusableBackup;
import io.tideline.core.window.WalEntry;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Builds an instance's {@link BackupsView}: the registration, the bucket read through the one inventory
 * reader, the window from {@link RestorableWindow} (the same computation the restore service validates
 * targets with, so what the page offers is what a restore accepts), and the events the view keeps.
 * Plain: the controllers only call it.
 */
public final class BackupsViewReader {

    private final InstanceRegistry registry;
    private final ObjectStores stores;
    private final ViewEvents events;
    private final Clock clock;

    public BackupsViewReader(InstanceRegistry registry, ObjectStores stores, ViewEvents events, Clock clock) {
        this.registry = registry;
        this.stores = stores;
        this.events = events;
        this.clock = clock;
    }

    public List<InstanceSummary> instances() {
        return registry.all().stream().map(this::summary)
                .sorted(Comparator.comparing(InstanceSummary::name).thenComparing(InstanceSummary::id)).toList();
    }

    public Optional<RegisteredInstance> instance(InstanceId id) {
        return registry.find(id);
    }

    /**
     * The undo finder's list of {@code id}: committed transactions that destroyed user data, oldest first, those
     * at or after {@code since} that dropped something or deleted/updated at least {@code minRows} rows of one
     * table; empty when no such instance is registered. An unreadable bucket is a StorageException.
     */
    public Optional<ChangesView> changes(InstanceId id, Optional<Instant> since, long minRows) {
        Optional<RegisteredInstance> registered = registry.find(id);
        if (registered.isEmpty()) {
            return Optional.empty();
        }
        ChangeIndexReader.Result read = new ChangeIndexReader(BucketLayout.forSegmentSize(registered.get().walSegmentSize()))
                .read(stores.forInstance(id), since);
        List<ChangesView.Change> rows = read.transactions().stream()
                .filter(IndexedTransaction::userVisible)
                .filter(t -> t.destroyedWhole() || t.largestRowCount() >= Math.max(1, minRows))
                .map(ChangesView.Change::of)
                .toList();
        return Optional.of(new ChangesView(id.value(), rows, read.problems()));
    }

    /**
     * The view of {@code id}, or empty when no such instance is registered. A bucket that cannot be read
     * is a {@link io.tideline.core.storage.StorageException}: the caller says so rather than show an
     * empty history.
     */
    public Optional<BackupsView> of(InstanceId id) {
        Optional<RegisteredInstance> registered = registry.find(id);
        if (registered.isEmpty()) {
            return Optional.empty();
        }
        RegisteredInstance instance = registered.get();
        BucketInventoryReader.BucketScan scan = new BucketInventoryReader(BucketLayout.forSegmentSize(instance.walSegmentSize()))
                .read(stores.forInstance(id));
        BucketInventory inventory = scan.inventory();
        Damage damage = events.damageIn(id, inventory);
        RestorableWindow window = RestorableWindow.of(inventory, damage);

        Map<String, RestorableBackup> restorable = window.restorableBackups().stream()
                .collect(Collectors.toMap(r -> r.backup().id().value(), Function.identity()));
        Map<String, UnusableBackup> unusable = window.unusableBackups().stream()
                .collect(Collectors.toMap(u -> u.backup().id().value(), Function.identity(), (a, b) -> a));
        List<BackupsView.BackupRow> rows = new ArrayList<>();
        for (BackupEntry b : inventory.backups()) {
            String key = b.id().value();
            RestorableBackup r = restorable.get(key);
            String status = r != null ? BackupsView.BackupRow.RESTORABLE : BackupsView.BackupRow.UNUSABLE;
            String note = r != null ? null : Optional.ofNullable(unusable.get(key)).map(UnusableBackup::reason)
                    .orElse("not on the instance's current history");
            Optional<ViewEvents.BackupFacts> facts = events.backup(key);
            rows.add(new BackupsView.BackupRow(key, b.timeline(), b.startLsn().toString(), b.endLsn().toString(),
                    b.startedAt().toString(), b.finishedAt().toString(), b.storedBytes(), status,
                    r == null ? null : r.restorableUntil().toString(), note,
                    facts.flatMap(ViewEvents.BackupFacts::reason).orElse(null), facts.flatMap(ViewEvents.BackupFacts::bytesRaw).orElse(null)));
        }
        for (IncompleteBackup b : inventory.incompleteBackups()) {
            rows.add(new BackupsView.BackupRow(b.id().value(), null, null, null, null, null,
                    b.objects().stream().mapToLong(ListedObject::size).sum(), BackupsView.BackupRow.INCOMPLETE, null,
                    "no manifest: being uploaded, or left by a backup that failed (last written " + b.lastWrittenAt() + ")",
                    events.backup(b.id().value()).flatMap(ViewEvents.BackupFacts::reason).orElse(null), null));
        }
        rows.sort(BackupsView.BackupRow.NEWEST_FIRST);

        BackupsView.Window windowView = new BackupsView.Window(window.from().map(Object::toString).orElse(null),
                window.to().map(Object::toString).orElse(null),
                window.ranges().stream().map(t -> new BackupsView.Range(t.from().toString(), t.to().toString())).toList());
        BackupsView.NewestWal newest = inventory.wal().stream()
                .max(Comparator.comparing(WalEntry::timeline).thenComparing(WalEntry::endLsn))
                .map(w -> new BackupsView.NewestWal(w.timeline(), w.segment().toString(), w.endLsn().toString(),
                        w.storedAt().toString(), w.partial()))
                .orElse(null);
        List<BackupsView.FailureRow> failures = events.failures(id).stream()
                .map(f -> new BackupsView.FailureRow(f.backupId(), f.commandId(), f.startedAt().map(Object::toString).orElse(null),
                        f.failedAt().toString(), f.reason()))
                .toList();
        var good = events.drills().lastGood(id.value());
        var failedSince = events.drills().lastFailed(id.value()).filter(f -> good.map(g -> f.at().isAfter(g.at())).orElse(true));
        BackupsView.Drills drills = new BackupsView.Drills(instance.restoreDrill().everyText(),
                good.map(g -> g.at().toString()).orElse(null), good.map(g -> g.drillId()).orElse(null),
                good.map(g -> g.rto().toMillis() / 1000.0).orElse(null),
                failedSince.map(f -> f.at().toString()).orElse(null), failedSince.map(f -> f.reason()).orElse(null));
        // Damaged objects are shown among the problems: minimal on purpose (the view may be redone), and enough
        // to say why a backup is unusable or the window ends early.
        List<String> problems = new ArrayList<>(scan.problems());
        damage.sorted().forEach((key, reason) -> problems.add("DAMAGED " + key + ": " + reason + " (the window is cut at it)"));
        return Optional.of(new BackupsView(summary(instance), clock.instant().toString(), windowView, newest, rows,
                failures, problems, events.restoresOf(id), drills));
    }

    private InstanceSummary summary(RegisteredInstance instance) {
        return InstanceSummary.of(instance, o -> InstanceSummary.complete(o, registry.find(o.sourceInstanceId()),
                events.restore(o.restoreId())));
    }

    /** The replay rate the view estimates {@code id}'s restores with (issue 18.6). */
    public io.tideline.core.rto.ReplayRate replayRate(InstanceId id) {
        return events.replayRate(id);
    }
}
