package io.tideline.restore;

import io.tideline.core.basebackup.BackupManifest;
import io.tideline.core.events.BackupCommands;
import io.tideline.core.ids.CommandId;
import io.tideline.core.ids.InstanceId;
import io.tideline.core.instance.ProvisionedInstance;
import io.tideline.core.kafka.EventPublisher;
import io.tideline.core.kafka.Topics;
import io.tideline.core.registry.InstanceOnboarding;
import io.tideline.core.registry.RegisteredInstance;
import io.tideline.core.storage.BucketGrant;
import io.tideline.core.wal.WalSegmentName;
import io.tideline.restore.PromotedInstanceCheck.Verified;
import io.tideline.restore.RecoverySteps.Made;
import io.tideline.restore.RecoverySteps.Recovered;
import io.tideline.restore.HostRecovery.WalFetched;
import io.tideline.restore.wal.WalServer;
import io.tideline.schemas.RestoreCompleted;
import io.tideline.schemas.RestorePhase;
import jakarta.inject.Singleton;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The steps of one accepted restore, in order: provision the new instance (bucket, data directory, the
 * source's passwords under the new instance's references — the roles come inside the backup), download and
 * unpack the backup, recover with WAL served from the source bucket, verify that it answers (steps 1-6,
 * {@link RecoverySteps}, shared with restore drills), give it new passwords, register it, ask for its first
 * base backup, and say {@code RestoreCompleted}. On any failure what was made is removed and
 * {@code RestoreFailed} says why. The source is only ever read: its bucket through its own read path, never
 * its server.
 */
@Singleton
final class RestoreProcess implements Restorer {

    static final String REQUESTED_BY = "restore-service";
    private static final Logger LOG = LoggerFactory.getLogger(RestoreProcess.class);

    private final InstancePlatform platform;
    private final InstanceOnboarding onboarding;
    private final EventPublisher publisher;
    private final WalServer walServer;
    private final RestoreEvents events;
    private final HalfMadeInstances halfMade;

    RestoreProcess(InstancePlatform platform, InstanceOnboarding onboarding, @jakarta.inject.Named(io.tideline.core.kafka.KafkaPrincipals.RESTORE) EventPublisher publisher,
                   WalServer walServer, RestoreEvents events, HalfMadeInstances halfMade) {
        this.platform = platform;
        this.onboarding = onboarding;
        this.publisher = publisher;
        this.walServer = walServer;
        this.events = events;
        this.halfMade = halfMade;
    }

    /** Runs the restore to its end; publishes {@code RestoreCompleted} or {@code RestoreFailed}, never throws. */
    @Override
    public void run(RestorePlan plan, RestoreTracker tracker) {
        Made made = new Made();
        try {
            RestoreCompleted completed = restore(plan, tracker, made);
            events.completed(completed);
            LOG.info("restore {}: {} restored into {} ({}:{}), recovered to {}", plan.restoreId(), plan.sourceId(),
                    plan.newInstance(), completed.getHost(), completed.getPort(), completed.getRecoveredTo());
        } catch (RuntimeException e) {
            // A cancelled restore fails wherever the cancel was noticed (possibly inside a download thread): say so plainly.
            String reason = tracker.cancelledBy().map(RestoreTracker::cancelReason)
                    .orElse(e instanceof RestoreFailure ? e.getMessage() : "unexpected error: " + e);
            LOG.error("restore {} of {} failed: {}", plan.restoreId(), plan.sourceId(), reason, e);
            walServer.close(plan.restoreId());
            String cleanup = halfMade.remove(plan.restoreId(), plan.newInstance(), made.registered, made.server, made.bucket,
                    platform::removeServer);
            try {
                events.failed(plan.restoreId(), plan.sourceId().value(), reason + "; " + cleanup, Optional.of(plan.newInstance().value()));
            } catch (RuntimeException publish) {
                // The restore stays "accepted" in the log; the sweep of unfinished restores answers it later.
                LOG.error("restore {}: RestoreFailed could not be published", plan.restoreId(), publish);
            }
        } finally {
            walServer.close(plan.restoreId());
        }
    }

    /**
     * The restore as a script of its steps (pgBackRest's {@code cmdRestore} reads the same way); each step
     * publishes its phase, and {@code made} records what exists so that a failure removes exactly that.
     */
    private RestoreCompleted restore(RestorePlan plan, RestoreTracker tracker, Made made) {
        ReplayMeter replay = new ReplayMeter(events::progress, events.clock());
        Recovered recovered = platform.recover(plan, tracker, made, replay); // steps 1-6
        ProvisionedInstance server = registerNewInstance(plan, tracker, recovered.grant(), made);
        return completion(plan, recovered.manifest(), server, recovered.verified(), recovered.fetched(), replay.replayed());
    }

    /**
     * Step 7: new passwords (a restored copy must not open with its source's), the instance registered with its
     * own bucket and its origin, and its first base backup asked for.
     */
    private ProvisionedInstance registerNewInstance(RestorePlan plan, RestoreTracker tracker, BucketGrant grant, Made made) {
        RegisteredInstance source = plan.source();
        InstanceId target = plan.newInstance();
        phase(tracker, RestorePhase.REGISTERING, null, "registering " + target + " and asking for its first base backup");
        ProvisionedInstance server = platform.handOver(plan);
        Instant now = events.now();
        made.registered = true; // set first: a publish that fails after reaching Kafka still registered it
        onboarding.register(server, grant, plan.newName(),
                new InstanceOnboarding.Options(source.backupWindowStartMinuteUtc(), source.retentionDays(), source.restoreDrill()),
                Optional.of(new RegisteredInstance.Origin(source.id(), plan.restoreId().value())), now);
        publisher.publishAndWait(Topics.BACKUP_COMMANDS, target.value(),
                BackupCommands.command(UUID.randomUUID(), target, CommandId.afterRestore(plan.restoreId()), REQUESTED_BY, now));
        return server;
    }

    /** Step 8: what {@code RestoreCompleted} tells the person who asked (a secret reference, never a password). */
    private RestoreCompleted completion(RestorePlan plan, BackupManifest manifest, ProvisionedInstance server, Verified verified,
                                        WalFetched fetched, Optional<ReplayMeter.Replayed> replayed) {
        Instant recoveredTo = plan.target().targetTime().orElseGet(() -> verified.lastCommit().orElse(manifest.finishedAt()));
        return RestoreCompleted.newBuilder()
                .setEventId(UUID.randomUUID())
                .setInstanceId(plan.sourceId().value())
                .setOccurredAt(events.now())
                .setRestoreId(plan.restoreId().value())
                .setNewInstanceId(plan.newInstance().value())
                .setHost(server.host())
                .setPort(server.port())
                .setDatabase(server.database())
                // The tenant's role (its password rotated in step 7), never Tideline's superuser.
                .setUser(server.ownerUser())
                .setSecretRef(server.ownerSecret().value())
                .setRecoveredTo(recoveredTo)
                .setWalReplayedThroughSegment(fetched.through().map(WalSegmentName::toString).orElse(null))
                // the measured replay rate (issue 18.6: the scheduler's RTO budget reads it from here)
                .setWalBytesReplayed(replayed.map(ReplayMeter.Replayed::bytes).orElse(null))
                .setWalReplayMillis(replayed.map(r -> r.took().toMillis()).orElse(null))
                .build();
    }

    private void phase(RestoreTracker tracker, RestorePhase phase, Long total, String message) {
        tracker.enter(phase, total, message);
        events.progress(tracker);
    }
}
