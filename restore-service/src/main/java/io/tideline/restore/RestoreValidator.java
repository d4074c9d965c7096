package io.tideline.restore;

import io.tideline.core.ids.InstanceId;
import io.tideline.core.ids.RestoreId;
import io.tideline.core.registry.RegisteredInstance;
import io.tideline.core.ids.BackupId;
import io.tideline.core.restore.RestorePoint;
import io.tideline.core.restore.RestoreTarget;
import io.tideline.core.storage.BucketLayout;
import io.tideline.core.wal.Lsn;
import io.tideline.core.wal.WalSegmentName;
import io.tideline.core.window.BackupEntry;
import io.tideline.core.window.BucketInventory;
import io.tideline.core.window.Damage;
import io.tideline.core.window.RestorableBackup;
import io.tideline.core.window.RestorableWindow;
import io.tideline.core.window.TimeRange;
import io.tideline.core.window.WalEntry;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Decides whether a restore request can be carried out, and if so how — before anything is provisioned.
 * Pure: what it knows of the fleet and of the source bucket is given to it.
 *
 * <p>Rejections, each with a sentence for the person who asked: unknown (or removed) source instance;
 * malformed or zone-less target time; a new name that is not a valid instance id or is taken; a source
 * with nothing restorable yet; a target before the window, after the newest stored WAL, or inside a WAL
 * gap. Otherwise the plan names the newest backup consistent at or before the target whose WAL reaches
 * it, chosen by {@link RestorableWindow} (the one window computation retention and the Backups view use).
 *
 * <p>Targets that are positions rather than times are placed by LSN among the same restorable backups: the
 * newest backup consistent at or before the position (its end LSN) whose contiguous stored WAL reaches past
 * it. An LSN is the position itself; an xid is where its commit record ends ({@link TargetFacts}: unknown or
 * aborted is refused); a name is where its restore point was recorded (never created is refused);
 * {@code immediate} is the named (else the newest) restorable backup's own end.
 */
public final class RestoreValidator {

    /** Separates the source id from the short restore id in a derived name. */
    static final String DERIVED_INFIX = "-r-";
    private static final int MAX_ID_LENGTH = 40;

    /** What the validator may ask about the fleet. */
    public interface Fleet {
        /** The registered instance, if any (removed instances are not registered). */
        Optional<RegisteredInstance> registered(InstanceId id);

        /**
         * Who uses {@code id} or {@code name} already (a registered instance, a server that exists, a running
         * restore), for the rejection message; empty when both are free.
         */
        Optional<String> holderOf(InstanceId id, String name);
    }

    /** The outcome: a plan, or a reason. */
    public sealed interface Decision {
        record Accept(RestorePlan plan) implements Decision {
        }

        record Reject(String reason) implements Decision {
        }
    }

    private final Fleet fleet;
    private final Function<RegisteredInstance, BucketInventory> inventories;
    private final BiFunction<RegisteredInstance, BucketInventory, Damage> damage;
    private final TargetFacts facts;

    /**
     * @param inventories reads the source's bucket (may throw a storage exception: a transient failure to
     *                    look is not a reason to reject)
     */
    public RestoreValidator(Fleet fleet, Function<RegisteredInstance, BucketInventory> inventories) {
        this(fleet, inventories, (source, inventory) -> Damage.none(), TargetFacts.none());
    }

    /**
     * @param damage the objects of a source's inventory known to be damaged ({@code ObjectCorrupted}): the window
     *               is cut at them, so a target that needs one is refused with the damage as the reason
     * @param facts  where transactions ended and restore points are (may throw a storage exception too)
     */
    public RestoreValidator(Fleet fleet, Function<RegisteredInstance, BucketInventory> inventories,
                            BiFunction<RegisteredInstance, BucketInventory, Damage> damage, TargetFacts facts) {
        this.fleet = Objects.requireNonNull(fleet, "fleet");
        this.inventories = Objects.requireNonNull(inventories, "inventories");
        this.damage = Objects.requireNonNull(damage, "damage");
        this.facts = Objects.requireNonNull(facts, "facts");
    }

    public Decision validate(RestoreRequest request, Instant now) {
        Optional<RegisteredInstance> source = sourceOf(request.source());
        if (source.isEmpty()) {
            return reject("unknown instance '" + request.source() + "': no such instance is registered (never created, or removed)");
        }
        RestoreTarget target;
        try {
            target = RestoreTarget.parse(request.target(), request.exclusive());
        } catch (IllegalArgumentException e) {
            return reject(e.getMessage());
        }
        InstanceId newId;
        String newName;
        if (request.newName().isPresent()) {
            newName = request.newName().get();
            try {
                newId = InstanceId.of(newName);
            } catch (IllegalArgumentException e) {
                return reject("'" + newName + "' cannot name an instance: use " + InstanceId.RULE_TEXT);
            }
        } else {
            newId = derivedId(source.get().id(), request);
            newName = newId.value();
        }
        Optional<String> holder = fleet.holderOf(newId, newName);
        if (holder.isPresent()) {
            return reject("the name '" + newName + "' is already taken by " + holder.get() + ": choose another name");
        }

        RegisteredInstance src = source.get();
        BucketInventory inventory = inventories.apply(src);
        RestorableWindow window = RestorableWindow.of(inventory, damage.apply(src, inventory));
        if (window.isEmpty()) {
            return reject("instance " + src.id() + " has nothing restorable yet: " + whyEmpty(window));
        }
        Placed placed;
        if (target instanceof RestoreTarget.AtTime || target instanceof RestoreTarget.Latest) {
            Instant moment;
            if (target instanceof RestoreTarget.AtTime at) {
                moment = at.time();
                if (!window.isRestorable(moment)) {
                    return reject(outside(src.id(), moment, window, now) + damaged(window));
                }
            } else {
                moment = window.to().orElseThrow();
            }
            placed = new Placed(window.restorableBackupFor(moment).orElseThrow(() ->
                    new IllegalStateException("the window of " + src.id() + " covers " + moment + " but names no backup for it")), null);
        } else {
            placed = place(src, target, inventory, window);
            if (placed.backup() == null) {
                return reject(placed.refusal());
            }
        }
        RestorableBackup backup = placed.backup();
        BucketLayout layout = BucketLayout.forSegmentSize(src.walSegmentSize());
        return new Decision.Accept(new RestorePlan(request.restoreId(), src, target, newId, newName, backup,
                requiredWal(inventory, backup), layout, request.requestedBy()));
    }

    /** A backup for a position target, or why there is none. */
    private record Placed(RestorableBackup backup, String refusal) {
    }

    private Placed place(RegisteredInstance src, RestoreTarget target, BucketInventory inventory, RestorableWindow window) {
        InstanceId id = src.id();
        if (target instanceof RestoreTarget.Immediate immediate) {
            return immediate(id, immediate, inventory, window);
        }
        if (target instanceof RestoreTarget.AtLsn at) {
            // Recovery stops at the first record at or after the LSN, so a record must start there or later
            // inside the stored WAL: the LSN must lie before where the WAL reaches.
            return byPosition(id, window, at.lsn(), false, "LSN " + at.lsn());
        }
        if (target instanceof RestoreTarget.AtXid at) {
            Optional<TransactionEnd> end = facts.transactionEnd(src, inventory, window, at.walXid());
            if (end.isEmpty()) {
                return refused("transaction " + at.xid() + " is unknown to the stored WAL of " + id + " ("
                        + storedWal(window) + "): no commit or abort record of it — it never ran, is still running, "
                        + "committed before the oldest kept backup, or was a prepared transaction");
            }
            TransactionEnd e = end.get();
            if (!e.committed()) {
                return refused("transaction " + at.xid() + " aborted (at " + e.at() + ", WAL " + e.recordEnd()
                        + "): it changed nothing, so there is nothing to restore to or just before; choose a committed transaction or a time");
            }
            return byPosition(id, window, e.recordEnd(), true, "transaction " + at.xid() + " (committed at " + e.at()
                    + ", WAL " + e.recordEnd() + ")");
        }
        if (target instanceof RestoreTarget.AtName at) {
            Optional<RestorePoint> point = facts.restorePoint(src, at.name());
            if (point.isEmpty()) {
                return refused("no restore point named '" + at.name() + "' was created for " + id
                        + " (or it expired with the backups that could reach it): see tideline restore-point create");
            }
            RestorePoint p = point.get();
            if (!window.timelinePath().contains(p.timeline(), p.lsn())) {
                return refused("restore point '" + at.name() + "' was made on timeline " + p.timeline() + " at " + p.lsn()
                        + ", which is not on the history of the newest timeline " + window.timelinePath().newest());
            }
            return byPosition(id, window, p.lsn(), true, "restore point '" + at.name() + "' (made " + p.createdAt()
                    + ", WAL " + p.lsn() + ")");
        }
        throw new IllegalStateException("unhandled target " + target);
    }

    /**
     * The newest restorable backup consistent at or before {@code position} whose stored WAL reaches it.
     *
     * @param recordEnd true when {@code position} is the end of the record to stop at (a commit, a restore
     *                  point): the backup must become consistent strictly before it and the WAL reach it; false
     *                  when it is where a record starts or lies (an LSN): the backup consistent at or before it,
     *                  the WAL reaching past it
     */
    private static Placed byPosition(InstanceId id, RestorableWindow window, Lsn position, boolean recordEnd, String what) {
        List<RestorableBackup> backups = window.restorableBackups();
        Optional<RestorableBackup> best = backups.stream()
                .filter(b -> recordEnd ? b.backup().endLsn().isBefore(position) : !b.backup().endLsn().isAfter(position))
                .filter(b -> recordEnd ? !b.walReachedLsn().isBefore(position) : b.walReachedLsn().isAfter(position))
                .max(Comparator.comparing(RestorableBackup::backup, BackupEntry.OLDEST_FIRST));
        if (best.isPresent()) {
            return new Placed(best.get(), null);
        }
        RestorableBackup oldest = backups.stream().min(Comparator.comparing(b -> b.backup().endLsn())).orElseThrow();
        Lsn reached = backups.stream().map(RestorableBackup::walReachedLsn).max(Comparator.naturalOrder()).orElseThrow();
        if (recordEnd ? !oldest.backup().endLsn().isBefore(position) : oldest.backup().endLsn().isAfter(position)) {
            return refused(what + " is before the restorable window of " + id + ": the oldest kept backup "
                    + oldest.backup().id() + " becomes consistent at WAL " + oldest.backup().endLsn() + " ("
                    + oldest.backup().finishedAt() + ")");
        }
        if (recordEnd ? position.isAfter(reached) : !position.isBefore(reached)) {
            return refused(what + " is past the stored WAL of " + id + ", which ends at " + reached
                    + " — or ask for 'latest'");
        }
        return refused(what + " falls in a gap of the stored WAL of " + id + " (nothing restores it): see tideline backups " + id);
    }

    private static Placed immediate(InstanceId id, RestoreTarget.Immediate immediate, BucketInventory inventory, RestorableWindow window) {
        if (immediate.backup().isEmpty()) {
            return new Placed(window.restorableBackups().stream()
                    .max(Comparator.comparing(RestorableBackup::backup, BackupEntry.OLDEST_FIRST)).orElseThrow(), null);
        }
        BackupId wanted = immediate.backup().get();
        Optional<RestorableBackup> named = window.restorableBackups().stream().filter(b -> b.backup().id().equals(wanted)).findFirst();
        if (named.isPresent()) {
            return new Placed(named.get(), null);
        }
        Optional<String> unusable = window.unusableBackups().stream().filter(u -> u.backup().id().equals(wanted))
                .map(u -> "backup " + wanted + " of " + id + " cannot be restored: " + u.reason()).findFirst();
        if (unusable.isPresent()) {
            return refused(unusable.get());
        }
        boolean incomplete = inventory.incompleteBackups().stream().anyMatch(b -> b.id().equals(wanted));
        return refused(incomplete ? "backup " + wanted + " of " + id + " is not complete (no manifest stored)"
                : "no backup " + wanted + " is stored for " + id + ": see tideline backups " + id);
    }

    private static String storedWal(RestorableWindow window) {
        List<RestorableBackup> backups = window.restorableBackups();
        Lsn from = backups.stream().map(b -> b.backup().startLsn()).min(Comparator.naturalOrder()).orElseThrow();
        Lsn to = backups.stream().map(RestorableBackup::walReachedLsn).max(Comparator.naturalOrder()).orElseThrow();
        return "WAL read from the oldest kept backup's start " + from + " to " + to;
    }

    private static Placed refused(String reason) {
        return new Placed(null, reason);
    }

    /** {@code <source>-r-<short restore id>}, the source part shortened so the whole stays a valid id. */
    static InstanceId derivedId(InstanceId source, RestoreRequest request) {
        return derivedId(source, request.restoreId());
    }

    /** The name a restore of {@code source} with id {@code restore} gets when none is asked for (the view's placeholder). */
    public static InstanceId derivedId(InstanceId source, RestoreId restore) {
        String suffix = DERIVED_INFIX + restore.shortForm();
        String base = source.value();
        if (base.length() + suffix.length() > MAX_ID_LENGTH) {
            base = base.substring(0, MAX_ID_LENGTH - suffix.length());
            while (base.endsWith("-")) {
                base = base.substring(0, base.length() - 1);
            }
        }
        return InstanceId.of(base + suffix);
    }

    private Optional<RegisteredInstance> sourceOf(String source) {
        try {
            return fleet.registered(InstanceId.of(source));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static Set<WalSegmentName> requiredWal(BucketInventory inventory, RestorableBackup backup) {
        long segmentSize = backup.lastWal().segment().segmentSize();
        long first = Long.divideUnsigned(backup.backup().startLsn().value(), segmentSize);
        long last = Long.divideUnsigned(backup.walReachedLsn().value() - 1, segmentSize);
        return inventory.wal().stream()
                .map(WalEntry::segment)
                .filter(s -> s.segmentNo() >= first && s.segmentNo() <= last)
                .collect(Collectors.toSet());
    }

    private static String whyEmpty(RestorableWindow window) {
        if (window.unusableBackups().isEmpty()) {
            return "no complete base backup is stored";
        }
        return window.unusableBackups().stream()
                .map(u -> "backup " + u.backup().id() + ": " + u.reason())
                .collect(Collectors.joining("; ", "no backup can be restored (", ")"));
    }

    private static String outside(InstanceId source, Instant target, RestorableWindow window, Instant now) {
        String ranges = window.ranges().stream().map(TimeRange::toString).collect(Collectors.joining(", "));
        Instant from = window.from().orElseThrow();
        Instant to = window.to().orElseThrow();
        if (target.isBefore(from)) {
            return "target " + target + " is before the restorable window of " + source + ", which starts at " + from
                    + " (the oldest kept backup); restorable: " + ranges;
        }
        if (target.isAfter(to)) {
            return "target " + target + " is after the newest stored WAL of " + source + " (" + to + ")"
                    + (target.isAfter(now) ? "; it is in the future" : "")
                    + "; restorable: " + ranges + " — or ask for 'latest'";
        }
        return "target " + target + " falls in a gap of the stored WAL of " + source + " (nothing restores it); restorable: " + ranges;
    }

    /** The damage that cut the window, for a refusal's reason; empty when none did. */
    private static String damaged(RestorableWindow window) {
        if (window.damage().isEmpty()) {
            return "";
        }
        return window.damage().sorted().entrySet().stream().map(e -> e.getKey() + " is damaged (" + e.getValue() + ")")
                .collect(Collectors.joining("; ", "; the window is cut where damaged objects lie: ", ""));
    }

    private static Decision reject(String reason) {
        return new Decision.Reject(reason);
    }
}
