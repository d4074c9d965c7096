package io.tideline.restore;

import io.micronaut.context.annotation.Requires;
import io.tideline.core.ids.InstanceId;
import io.tideline.core.ids.RestoreId;
import io.tideline.core.instance.InstanceProvisioner;
import io.tideline.core.instance.ProvisionedInstance;
import io.tideline.core.registry.RegisteredInstance;
import io.tideline.core.window.RestorableWindow;
import io.tideline.schemas.RestorePhase;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a restore drill ({@code io.tideline.restore.drill}) may use of the restore machinery: the source's
 * window exactly as a restore judges it, and a throwaway copy of the source at a moment — planned by the same
 * {@link RestoreValidator}, made by the same {@link RecoverySteps} (provision, download, recover, promote,
 * verify) — and its removal by {@link HalfMadeInstances}. A copy is not a user's restore: nothing of it is
 * published on the restore topics, it is never registered (so never backed up, archived or listed as a fleet
 * instance), and it takes no restore slot.
 */
@Singleton
@Requires(property = RestoreConfiguration.ENABLED, notEquals = "false")
public final class DrillRestores {

    /** Names a drill copy: {@code <source>-d-<first 8 of its run id>}. */
    public static final String COPY_INFIX = "-d-";
    private static final int MAX_ID_LENGTH = 40;
    private static final Logger LOG = LoggerFactory.getLogger(DrillRestores.class);

    private final RecoverySteps steps;
    private final FleetView fleet;
    private final SourceInventory inventory;
    private final HalfMadeInstances halfMade;
    private final InstanceProvisioner instances;
    private final RequestPartitions partitions;
    private final FleetRegistry registry;
    private final RestoreRunner runner;
    private final RestoreLedger ledger;
    private final Clock clock;

    DrillRestores(RecoverySteps steps, FleetView fleet, SourceInventory inventory, HalfMadeInstances halfMade,
                  InstanceProvisioner instances, RequestPartitions partitions, FleetRegistry registry, RestoreRunner runner,
                  RestoreLedger ledger, Clock clock) {
        this.partitions = partitions;
        this.registry = registry;
        this.runner = runner;
        this.ledger = ledger;
        this.steps = steps;
        this.fleet = fleet;
        this.inventory = inventory;
        this.halfMade = halfMade;
        this.instances = instances;
        this.clock = clock;
    }

    /** How long one phase of a copy's restore took. */
    public record PhaseTime(String phase, Duration took) {
    }

    /**
     * A recovered, promoted copy that answers queries. {@code phases} are the restore's phases (PROVISIONING ..
     * VERIFYING) timed on the service's clock; {@code rto} is their sum.
     */
    public record Copy(RestoreId runId, InstanceId id, String backupId, ProvisionedInstance server, List<PhaseTime> phases,
                       Duration rto, long timeline, Optional<Instant> lastReplayedCommit, Optional<Replayed> replayed) {
    }

    /** The copy's WAL replay, measured (issue 18.6): what the RTO budget's replay rate comes from. */
    public record Replayed(long walBytes, Duration took) {
    }

    /** A copy could not be made; the message says why and what became of what was made. */
    public static final class CopyFailed extends RuntimeException {
        CopyFailed(String reason, Throwable cause) {
            super(reason, cause);
        }
    }

    /**
     * Whether this replica drills {@code source}: the one that owns its restore-request partition (so one replica
     * of several drills each instance, and one that reads no requests drills none).
     */
    public boolean owns(InstanceId source) {
        return partitions.owns(source.value());
    }

    /** The source's restorable window now, from its bucket (a storage exception if it cannot be read). */
    public RestorableWindow windowOf(RegisteredInstance source) {
        return RestorableWindow.of(inventory.of(source));
    }

    /**
     * Restores {@code source} as it was at {@code target} into a new, unregistered instance. On failure what was
     * made is removed before {@link CopyFailed} is thrown.
     */
    public Copy restoreCopy(RegisteredInstance source, Instant target, RestoreId runId) {
        InstanceId copyId = copyId(source.id(), runId);
        RestoreRequest request = new RestoreRequest(runId, source.id().value(), target.toString(), Optional.of(copyId.value()),
                "restore-drill", clock.instant());
        // Only this source is "registered" for the drill's plan; the name check is the real fleet's.
        RestoreValidator validator = new RestoreValidator(new RestoreValidator.Fleet() {
            @Override
            public Optional<RegisteredInstance> registered(InstanceId id) {
                return id.equals(source.id()) ? Optional.of(source) : Optional.empty();
            }

            @Override
            public Optional<String> holderOf(InstanceId id, String name) {
                return fleet.holderOf(id, name);
            }
        }, inventory::of);
        RestoreValidator.Decision decision = validator.validate(request, clock.instant());
        if (decision instanceof RestoreValidator.Decision.Reject reject) {
            throw new CopyFailed("a restore to " + target + " was refused: " + reject.reason(), null);
        }
        RestorePlan plan = ((RestoreValidator.Decision.Accept) decision).plan();
        RestoreTracker tracker = new RestoreTracker(runId, source.id().value());
        PhaseClock phases = new PhaseClock(clock);
        RecoverySteps.Made made = new RecoverySteps.Made();
        try {
            ReplayMeter replay = new ReplayMeter(phases::report, clock);
            RecoverySteps.Recovered recovered = steps.recover(plan, tracker, made, replay);
            List<PhaseTime> times = phases.finish();
            Duration rto = times.stream().map(PhaseTime::took).reduce(Duration.ZERO, Duration::plus);
            return new Copy(runId, copyId, plan.backupEntry().id().value(), instances.get(copyId), times, rto,
                    recovered.verified().timeline(), recovered.verified().lastCommit(),
                    replay.replayed().map(r -> new Replayed(r.bytes(), r.took())));
        } catch (RuntimeException e) {
            String reason = e instanceof RestoreFailure ? e.getMessage() : "unexpected error: " + e;
            LOG.warn("drill copy {} of {} at {} failed: {}", copyId, source.id(), target, reason, e);
            String cleanup = uninterrupted(() -> halfMade.remove(runId, copyId, false, made.server, made.bucket));
            throw new CopyFailed(reason + " (during " + tracker.phase() + "); " + cleanup.replace("half-made", "drill"), e);
        }
    }

    /** Removes a copy's server (data, secrets) and bucket; a sentence saying what happened. */
    public String remove(Copy copy) {
        return uninterrupted(() -> halfMade.remove(copy.runId(), copy.id(), false, true, true)).replace("half-made", "drill");
    }

    /**
     * Runs a removal with the thread's interrupt flag cleared (and set again after): a drill interrupted by a
     * shutdown must still remove its copy, and every process wait of the removal would fail at once otherwise.
     */
    private static String uninterrupted(java.util.function.Supplier<String> removal) {
        boolean interrupted = Thread.interrupted();
        try {
            return removal.get();
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Removes the copies a drill of one of {@code sources} left behind when its replica stopped mid-drill: servers
     * named like a copy of one of them ({@code <source>-d-<8 hex>}) that are not registered and not being made by a
     * user's restore. Called by the drill scheduler of the replica that owns those sources, between drills, when
     * none of its own copies exists. Returns a sentence per copy removed.
     */
    public List<String> removeLeftCopies(java.util.Collection<InstanceId> sources) {
        List<String> removed = new ArrayList<>();
        for (var server : instances.list()) {
            InstanceId id = server.id();
            boolean ofOwnedSource = sources.stream().anyMatch(s -> isCopyOf(s, id));
            if (!isCopyId(id) || !ofOwnedSource || registry.find(id).isPresent() || madeByARestore(id)) {
                continue;
            }
            String done = halfMade.remove(RestoreId.of("left-" + id.value()), id, false, true, true).replace("half-made", "left drill");
            LOG.warn("restore drills: a copy left by a drill that did not finish: {}", done);
            removed.add(done);
        }
        return removed;
    }

    /** Whether {@code id} has the form of a copy of {@code source}: its (shortened) id, {@code -d-}, 8 hex digits. */
    static boolean isCopyOf(InstanceId source, InstanceId id) {
        String template = copyId(source, RestoreId.of("00000000")).value();
        return isCopyId(id) && id.value().length() == template.length()
                && id.value().startsWith(template.substring(0, template.length() - 8));
    }

    private boolean madeByARestore(InstanceId id) {
        return runner.running().stream().anyMatch(r -> r.plan().newInstance().equals(id))
                || ledger.unfinished().stream().anyMatch(e -> e.newInstance().map(id.value()::equals).orElse(false));
    }

    /** True for an instance id this class names copies with. */
    public static boolean isCopyId(InstanceId id) {
        return id.value().matches(".*" + COPY_INFIX + "[0-9a-f]{8}");
    }

    static InstanceId copyId(InstanceId source, RestoreId runId) {
        String suffix = COPY_INFIX + runId.shortForm();
        String base = source.value();
        if (base.length() + suffix.length() > MAX_ID_LENGTH) {
            base = base.substring(0, MAX_ID_LENGTH - suffix.length());
            while (base.endsWith("-")) {
                base = base.substring(0, base.length() - 1);
            }
        }
        return InstanceId.of(base + suffix);
    }

    /** Times each phase from the moment it is entered to the next phase (or the end). */
    private static final class PhaseClock {
        private final Clock clock;
        private final List<PhaseTime> done = new ArrayList<>();
        private RestorePhase current;
        private Instant since;

        PhaseClock(Clock clock) {
            this.clock = clock;
        }

        synchronized void report(RestoreTracker tracker) {
            RestorePhase phase = tracker.phase();
            if (phase != current) {
                Instant now = clock.instant();
                if (current != null) {
                    done.add(new PhaseTime(current.name(), Duration.between(since, now)));
                }
                current = phase;
                since = now;
            }
        }

        synchronized List<PhaseTime> finish() {
            if (current != null) {
                done.add(new PhaseTime(current.name(), Duration.between(since, clock.instant())));
                current = null;
            }
            return List.copyOf(done);
        }
    }
}
