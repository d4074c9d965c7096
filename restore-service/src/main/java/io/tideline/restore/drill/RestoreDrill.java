package io.tideline.restore.drill;

import io.tideline.core.ids.RestoreId;
import io.tideline.core.registry.RegisteredInstance;
import io.tideline.core.window.RestorableWindow;
import io.tideline.restore.DrillRestores;
import io.tideline.restore.DrillRestores.Copy;
import io.tideline.schemas.RestoreDrillPhaseTime;
import io.tideline.schemas.RestoreDrillRun;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One restore drill of one instance, as a script: read its window; restore its oldest moment, then a random
 * moment, each into a throwaway copy ({@link DrillRestores}: the restore machinery, never registered, never a
 * user's restore), check each copy ({@link DrillChecks}) and remove it; publish {@code RestoreDrillCompleted}
 * with the RTO per phase, or {@code RestoreDrillFailed} with what failed. Never throws; leaves no copy behind
 * (a copy that cannot be removed is part of the failure's reason).
 */
final class RestoreDrill {

    static final String CHECKING = "CHECKING";
    private static final Logger LOG = LoggerFactory.getLogger(RestoreDrill.class);

    private final DrillRestores restores;
    private final DrillChecks checks;
    private final DrillEvents events;
    private final RandomGenerator random;

    RestoreDrill(DrillRestores restores, DrillChecks checks, DrillEvents events, RandomGenerator random) {
        this.restores = restores;
        this.checks = checks;
        this.events = events;
        this.random = random;
    }

    /** A step of the drill went wrong: {@code target} names the run, if one had started. */
    private static final class DrillFailure extends RuntimeException {
        final Optional<String> target;

        DrillFailure(String reason, Optional<String> target, Throwable cause) {
            super(reason, cause);
            this.target = target;
        }
    }

    /** Drills {@code instance} to its end and publishes the outcome. */
    void run(RegisteredInstance instance, Instant startedAt) {
        String drillId = UUID.randomUUID().toString();
        List<RestoreDrillRun> runs = new ArrayList<>();
        LOG.info("restore drill {} of {} starts", drillId, instance.id());
        try {
            RestorableWindow window = readWindow(instance);
            for (DrillTargets.Target target : DrillTargets.choose(window, random)) {
                runs.add(restoreAndCheck(instance, target));
            }
            var done = events.completed(instance, drillId, startedAt, runs);
            LOG.info("restore drill {} of {} passed: {} run(s), RTO {} ms", drillId, instance.id(), runs.size(), done.getRtoMillis());
        } catch (DrillFailure f) {
            LOG.warn("restore drill {} of {} failed: {}", drillId, instance.id(), f.getMessage(), f);
            publishFailure(instance, drillId, startedAt, f.getMessage(), f.target, runs);
        } catch (RuntimeException e) {
            LOG.error("restore drill {} of {} failed unexpectedly", drillId, instance.id(), e);
            publishFailure(instance, drillId, startedAt, "unexpected error: " + e, Optional.empty(), runs);
        }
    }

    /** Step 1: the window, exactly as a restore judges it. */
    private RestorableWindow readWindow(RegisteredInstance instance) {
        RestorableWindow window;
        try {
            window = restores.windowOf(instance);
        } catch (RuntimeException e) {
            throw new DrillFailure("the bucket of " + instance.id() + " could not be read: " + e.getMessage(), Optional.empty(), e);
        }
        if (window.isEmpty()) {
            throw new DrillFailure("nothing of " + instance.id() + " is restorable: no kept backup has the WAL it needs"
                    + (window.unusableBackups().isEmpty() ? " (no complete backup is stored)" : " ("
                    + window.unusableBackups().get(0).backup().id() + ": " + window.unusableBackups().get(0).reason() + ")"),
                    Optional.empty(), null);
        }
        return window;
    }

    /** Step 2, per target: restore into a copy, check it, remove it — also when a check fails. */
    private RestoreDrillRun restoreAndCheck(RegisteredInstance instance, DrillTargets.Target target) {
        String what = "the " + target.name() + " moment " + target.time();
        Copy copy;
        try {
            copy = restores.restoreCopy(instance, target.time(), RestoreId.of(UUID.randomUUID().toString()));
        } catch (DrillRestores.CopyFailed e) {
            throw new DrillFailure("restore to " + what + " failed: " + e.getMessage(), Optional.of(target.name()), e);
        }
        List<String> passed;
        Duration checking;
        try {
            Instant start = events.now();
            passed = checks.check(copy, target.time(), instance.restoreDrill());
            checking = Duration.between(start, events.now());
        } catch (DrillCheckFailed e) {
            throw new DrillFailure("the copy restored to " + what + " failed a check: " + e.getMessage() + "; "
                    + restores.remove(copy), Optional.of(target.name()), e);
        } catch (RuntimeException e) {
            throw new DrillFailure("checking the copy restored to " + what + " failed: " + e + "; " + restores.remove(copy),
                    Optional.of(target.name()), e);
        }
        String removed = restores.remove(copy);
        if (removed.contains("could not")) {
            throw new DrillFailure("the copy restored to " + what + " passed its checks, but " + removed,
                    Optional.of(target.name()), null);
        }
        List<RestoreDrillPhaseTime> phases = new ArrayList<>();
        copy.phases().forEach(p -> phases.add(new RestoreDrillPhaseTime(p.phase(), p.took().toMillis())));
        phases.add(new RestoreDrillPhaseTime(CHECKING, checking.toMillis()));
        LOG.info("restore drill of {}: {} restored into {} in {} ms ({}), checks: {}", instance.id(), what, copy.id(),
                copy.rto().toMillis(), copy.phases(), passed);
        return RestoreDrillRun.newBuilder()
                .setTarget(target.name())
                .setTargetTime(target.time())
                .setBackupId(copy.backupId())
                .setDrillInstanceId(copy.id().value())
                .setRtoMillis(copy.rto().toMillis())
                .setPhases(phases)
                .setChecks(passed)
                .setWalBytesReplayed(copy.replayed().map(io.tideline.restore.DrillRestores.Replayed::walBytes).orElse(null))
                .setWalReplayMillis(copy.replayed().map(r -> r.took().toMillis()).orElse(null))
                .build();
    }

    private void publishFailure(RegisteredInstance instance, String drillId, Instant startedAt, String reason,
                                Optional<String> target, List<RestoreDrillRun> runs) {
        try {
            events.failed(instance, drillId, startedAt, reason, target, runs);
        } catch (RuntimeException e) {
            // The next period tries again; the history already has the attempt, so it is not retried at once.
            LOG.error("restore drill {} of {}: RestoreDrillFailed could not be published", drillId, instance.id(), e);
        }
    }
}
