package io.tideline.restore;

import io.tideline.core.ids.InstanceId;
import io.tideline.core.registry.RegisteredInstance;
import io.tideline.core.restore.RestoreTarget;
import io.tideline.core.storage.BucketLayout;
import io.tideline.core.wal.WalSegmentName;
import io.tideline.core.window.BucketInventory;
import io.tideline.core.window.Damage;
import io.tideline.core.window.RestorableBackup;
import io.tideline.core.window.RestorableWindow;
import io.tideline.core.window.TimeRange;
import io.tideline.core.window.WalEntry;
import java.time.Instant;
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

    /**
     * @param inventories reads the source's bucket (may throw a storage exception: a transient failure to
     *                    look is not a reason to reject)
     */
    public RestoreValidator(Fleet fleet, Function<RegisteredInstance, BucketInventory> inventories) {
        this(fleet, inventories, (source, inventory) -> Damage.none());
    }

    /**
     * @param damage the objects of a source's inventory known to be damaged ({@code ObjectCorrupted}): the window
     *               is cut at them, so a target that needs one is refused with the damage as the reason
     */
    public RestoreValidator(Fleet fleet, Function<RegisteredInstance, BucketInventory> inventories,
                            BiFunction<RegisteredInstance, BucketInventory, Damage> damage) {
        this.fleet = Objects.requireNonNull(fleet, "fleet");
        this.inventories = Objects.requireNonNull(inventories, "inventories");
        this.damage = Objects.requireNonNull(damage, "damage");
    }

    public Decision validate(RestoreRequest request, Instant now) {
        Optional<RegisteredInstance> source = sourceOf(request.source());
        if (source.isEmpty()) {
            return reject("unknown instance '" + request.source() + "': no such instance is registered (never created, or removed)");
        }
        RestoreTarget target;
        try {
            target = RestoreTarget.parse(request.target());
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
                return reject("'" + newName + "' cannot name an instance: use 3-40 lower-case letters, digits and single "
                        + "dashes, starting and ending with a letter or digit");
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
        Instant moment;
        if (target instanceof RestoreTarget.AtTime at) {
            moment = at.time();
            if (!window.isRestorable(moment)) {
                return reject(outside(src.id(), moment, window, now) + damaged(window));
            }
        } else {
            moment = window.to().orElseThrow();
        }
        RestorableBackup backup = window.restorableBackupFor(moment).orElseThrow(() ->
                new IllegalStateException("the window of " + src.id() + " covers " + moment + " but names no backup for it"));
        BucketLayout layout = BucketLayout.forSegmentSize(src.walSegmentSize());
        return new Decision.Accept(new RestorePlan(request.restoreId(), src, target, newId, newName, backup,
                requiredWal(inventory, backup), layout, request.requestedBy()));
    }

    /** {@code <source>-r-<short restore id>}, the source part shortened so the whole stays a valid id. */
    static InstanceId derivedId(InstanceId source, RestoreRequest request) {
        String suffix = DERIVED_INFIX + request.restoreId().shortForm();
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
