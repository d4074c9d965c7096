package io.tideline.restore;

import io.tideline.core.basebackup.BackupManifest;
import io.tideline.core.events.BackupCommands;
import io.tideline.core.ids.CommandId;
import io.tideline.core.ids.InstanceId;
import io.tideline.core.instance.AllocatedInstance;
import io.tideline.core.instance.InstanceCredentials;
import io.tideline.core.instance.InstanceProvisioner;
import io.tideline.core.instance.ProvisionedInstance;
import io.tideline.core.instance.RecoverySettings;
import io.tideline.core.kafka.EventPublisher;
import io.tideline.core.kafka.Topics;
import io.tideline.core.registry.InstanceOnboarding;
import io.tideline.core.registry.RegisteredInstance;
import io.tideline.core.restore.RestoreTarget;
import io.tideline.core.secrets.SecretStore;
import io.tideline.core.storage.BucketGrant;
import io.tideline.core.storage.ChecksumMismatchException;
import io.tideline.core.storage.NoSuchObjectException;
import io.tideline.core.storage.ObjectStore;
import io.tideline.core.storage.ObjectStores;
import io.tideline.core.storage.StorageProvisioner;
import io.tideline.core.wal.WalSegmentName;
import io.tideline.restore.PromotedInstanceCheck.Verified;
import io.tideline.restore.wal.WalServer;
import io.tideline.restore.wal.WalSession;
import io.tideline.schemas.RestoreCompleted;
import io.tideline.schemas.RestorePhase;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The steps of one accepted restore, in order: provision the new instance (bucket, data directory, the
 * source's passwords under the new instance's references — the roles come inside the backup), download and
 * unpack the backup, recover with WAL served from the source bucket, verify that it answers, give it new
 * passwords, register it, ask for its first base backup, and say {@code RestoreCompleted}. On any failure
 * what was made is removed and {@code RestoreFailed} says why. The source is only ever read: its bucket
 * through its own read path, never its server.
 */
@Singleton
final class RestoreProcess implements Restorer {

    static final String REQUESTED_BY = "restore-service";
    private static final Logger LOG = LoggerFactory.getLogger(RestoreProcess.class);

    private final RestoreConfiguration config;
    private final InstanceProvisioner instances;
    private final StorageProvisioner storage;
    private final SecretStore secrets;
    private final ObjectStores stores;
    private final InstanceOnboarding onboarding;
    private final EventPublisher publisher;
    private final WalServer walServer;
    private final WalEndpoint walEndpoint;
    private final RestoreEvents events;
    private final HalfMadeInstances halfMade;
    private final PromotedInstanceCheck checks;

    RestoreProcess(RestoreConfiguration config, InstanceProvisioner instances, StorageProvisioner storage, SecretStore secrets,
                   ObjectStores stores, InstanceOnboarding onboarding, EventPublisher publisher, WalServer walServer,
                   WalEndpoint walEndpoint, RestoreEvents events, HalfMadeInstances halfMade) {
        this.config = config;
        this.instances = instances;
        this.storage = storage;
        this.secrets = secrets;
        this.stores = stores;
        this.onboarding = onboarding;
        this.publisher = publisher;
        this.walServer = walServer;
        this.walEndpoint = walEndpoint;
        this.events = events;
        this.halfMade = halfMade;
        this.checks = new PromotedInstanceCheck(secrets);
    }

    /** What this run made, so a failure removes exactly that. */
    private static final class Made {
        boolean bucket;
        boolean server;
        boolean registered;
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
            String cleanup = halfMade.remove(plan.restoreId(), plan.newInstance(), made.registered, made.server, made.bucket);
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
        NewInstance fresh = allocateNewInstance(plan, tracker, made);
        ObjectStore sourceStore = stores.forInstance(plan.sourceId());
        BackupManifest manifest = readManifest(sourceStore, plan);
        WalSession wal = startWalPrefetch(plan, sourceStore, fresh, manifest);
        downloadBackup(plan, tracker, sourceStore, fresh, manifest);
        Recovery recovery = startRecovering(plan, tracker, fresh, manifest);
        WalFetched fetched = awaitPromotion(plan, tracker, wal, recovery);
        Verified verified = verifyNewInstance(plan, tracker);
        ProvisionedInstance server = registerNewInstance(plan, tracker, fresh, made);
        return completion(plan, manifest, server, verified, fetched);
    }

    /** The new instance as allocated: its bucket grant and its empty data directory. */
    private record NewInstance(BucketGrant grant, AllocatedInstance allocated) {
    }

    /** Recovery as started: the command that fetches WAL, and the target. */
    private record Recovery(String restoreCommand, RestoreTarget target) {
        /** The target time, when the target is a time (then the archive may end before the target is seen). */
        Optional<Instant> time() {
            return target.targetTime();
        }
    }

    /** What the WAL session handed the server, read before it is closed. */
    private record WalFetched(Optional<WalSegmentName> through, long served, long fromSpool) {
    }

    /**
     * Step 1: the new instance's bucket and server place, opened with the SOURCE's roles (they come inside
     * the backup) under the new instance's secret references, holding the source's passwords until rotated.
     */
    private NewInstance allocateNewInstance(RestorePlan plan, RestoreTracker tracker, Made made) {
        RegisteredInstance source = plan.source();
        InstanceId target = plan.newInstance();
        phase(tracker, RestorePhase.PROVISIONING, null, "provisioning instance " + target + " and its bucket");
        made.bucket = true; // provision is idempotent and the name was free: whatever exists under it now is ours
        BucketGrant grant = storage.provision(target);
        InstanceCredentials standard = InstanceCredentials.standard(target);
        InstanceCredentials credentials = new InstanceCredentials(source.superuser(), standard.adminSecret(),
                source.replicationUser(), standard.replicationSecret());
        AllocatedInstance allocated = instances.allocate(target, credentials);
        made.server = true;
        secrets.put(credentials.adminSecret(), secrets.get(source.superuserSecret()));
        secrets.put(credentials.replicationSecret(), secrets.get(source.replicationSecret()));
        return new NewInstance(grant, allocated);
    }

    /** Step 2: WAL from the backup's start is fetched (into the new instance's spool) while the backup downloads. */
    private WalSession startWalPrefetch(RestorePlan plan, ObjectStore sourceStore, NewInstance fresh, BackupManifest manifest) {
        WalSession wal = walServer.open(plan.restoreId(), sourceStore, plan.layout(), plan.requiredWal(), fresh.allocated().walSpool());
        wal.prefetchFrom(WalSegmentName.of(manifest.timeline(), manifest.startLsn(), plan.layout().walSegmentSize()));
        return wal;
    }

    /** Step 3: the backup's parts, each checked against the manifest's sha256, unpacked into the data directory. */
    private void downloadBackup(RestorePlan plan, RestoreTracker tracker, ObjectStore sourceStore, NewInstance fresh,
                                BackupManifest manifest) {
        phase(tracker, RestorePhase.RESTORING_BACKUP, manifest.rawBytes(), "downloading and unpacking backup "
                + manifest.backupId() + " (" + manifest.parts().size() + " part(s), " + manifest.storedBytes() + " bytes stored)");
        Path dataDir = fresh.allocated().dataDir();
        new BackupDownloader(config.downloadParallelism()).restore(sourceStore, manifest, dataDir,
                dataDir.resolveSibling("restore-download"), tracker::bytes);
        events.progress(tracker); // the phase's final count
    }

    /** Step 4: recovery settings (WAL from this service, the target, promote at the end) written and the server started. */
    private Recovery startRecovering(RestorePlan plan, RestoreTracker tracker, NewInstance fresh, BackupManifest manifest) {
        Recovery recovery = new Recovery(walEndpoint.restoreCommand(plan.restoreId(), fresh.allocated().walSpool()),
                plan.target());
        // Served WAL is counted in whole segments, from the start of the backup's first one.
        Long walTotal = !(plan.target() instanceof RestoreTarget.Latest) ? null : plan.backup().walReachedLsn().bytesSince(
                manifest.startLsn().minus(manifest.startLsn().segmentOffset(plan.layout().walSegmentSize())));
        phase(tracker, RestorePhase.REPLAYING_WAL, walTotal, "replaying WAL to " + plan.target().describe());
        instances.startRecovering(plan.newInstance(), RecoverySettings.to(recovery.restoreCommand(), recovery.target()));
        return recovery;
    }

    /**
     * Step 5: recovery watched to its promotion together with the WAL session (a WAL failure fails the restore);
     * then the WAL is closed. A target after the archive's last commit means all of it is replayed.
     */
    private WalFetched awaitPromotion(RestorePlan plan, RestoreTracker tracker, WalSession wal, Recovery recovery) {
        InstanceId target = plan.newInstance();
        RecoveryMonitor monitor = new RecoveryMonitor(instances, config.progressInterval());
        RecoveryMonitor.Outcome outcome = monitor.await(target, wal, config.promotionTimeout(), recovery.time().isPresent(), tracker);
        if (outcome == RecoveryMonitor.Outcome.TARGET_AFTER_LAST_COMMIT) {
            // The archive ends before any commit later than the target, so all of it is at or before the target.
            LOG.info("restore {}: no commit after {} in the archive; replaying all of it", plan.restoreId(), recovery.time().get());
            tracker.message("no commit after the target in the archive: replaying all of it (every stored commit is before the target)");
            instances.startRecovering(target, RecoverySettings.toLatest(recovery.restoreCommand()));
            monitor.await(target, wal, config.promotionTimeout(), false, tracker);
        }
        WalFetched fetched = new WalFetched(wal.newestServed(), wal.segmentsServed(), wal.segmentsFromSpool());
        walServer.close(plan.restoreId());
        LOG.info("restore {}: recovered; {} WAL segment(s) served, {} of them taken from the spool", plan.restoreId(),
                fetched.served(), fetched.fromSpool());
        tracker.message("recovered; WAL fetched through " + fetched.through().map(WalSegmentName::toString).orElse("(none needed)")
                + " (" + fetched.fromSpool() + " of " + fetched.served() + " segment(s) taken from the local spool)");
        events.progress(tracker); // the phase's final count
        phase(tracker, RestorePhase.PROMOTING, null, "promoted; " + tracker.walSegmentsReplayed() + " WAL segment(s) fetched");
        return fetched;
    }

    /** Step 6: the promoted instance answers queries, out of recovery, on a new timeline. */
    private Verified verifyNewInstance(RestorePlan plan, RestoreTracker tracker) {
        InstanceId target = plan.newInstance();
        phase(tracker, RestorePhase.VERIFYING, null, "checking that " + target + " answers queries");
        Verified verified = checks.verify(instances.get(target));
        LOG.info("restore {}: {} answers on timeline {}, last replayed commit {}", plan.restoreId(), target,
                verified.timeline(), verified.lastCommit().map(Instant::toString).orElse("none"));
        return verified;
    }

    /**
     * Step 7: new passwords (a restored copy must not open with its source's), the instance registered with its
     * own bucket and its origin, and its first base backup asked for.
     */
    private ProvisionedInstance registerNewInstance(RestorePlan plan, RestoreTracker tracker, NewInstance fresh, Made made) {
        RegisteredInstance source = plan.source();
        InstanceId target = plan.newInstance();
        phase(tracker, RestorePhase.REGISTERING, null, "registering " + target + " and asking for its first base backup");
        instances.rotatePasswords(target);
        ProvisionedInstance server = instances.get(target);
        Instant now = events.now();
        made.registered = true; // set first: a publish that fails after reaching Kafka still registered it
        onboarding.register(server, fresh.grant(), plan.newName(),
                new InstanceOnboarding.Options(source.backupWindowStartMinuteUtc(), source.retentionDays()),
                Optional.of(new RegisteredInstance.Origin(source.id(), plan.restoreId().value())), now);
        publisher.publishAndWait(Topics.BACKUP_COMMANDS, target.value(),
                BackupCommands.command(UUID.randomUUID(), target, CommandId.afterRestore(plan.restoreId()), REQUESTED_BY, now));
        return server;
    }

    /** Step 8: what {@code RestoreCompleted} tells the person who asked (a secret reference, never a password). */
    private RestoreCompleted completion(RestorePlan plan, BackupManifest manifest, ProvisionedInstance server, Verified verified,
                                        WalFetched fetched) {
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
                .build();
    }

    private void phase(RestoreTracker tracker, RestorePhase phase, Long total, String message) {
        tracker.enter(phase, total, message);
        events.progress(tracker);
    }

    /** The manifest of the plan's backup, checked against its recorded sha256. */
    private static BackupManifest readManifest(ObjectStore store, RestorePlan plan) {
        String key = plan.layout().backupManifest(plan.backupEntry().id());
        try {
            BackupManifest manifest = BackupManifest.parse(store.getVerified(key));
            if (!manifest.backupId().equals(plan.backupEntry().id())) {
                throw new RestoreFailure("manifest " + key + " describes backup " + manifest.backupId());
            }
            return manifest;
        } catch (NoSuchObjectException e) {
            throw new RestoreFailure("backup manifest " + key + " of bucket " + store.bucket() + " is missing", e);
        } catch (ChecksumMismatchException e) {
            throw new RestoreFailure("checksum mismatch in backup manifest " + key + " of bucket " + store.bucket(), e);
        } catch (IllegalArgumentException e) {
            throw new RestoreFailure("backup manifest " + key + " is unreadable: " + e.getMessage(), e);
        }
    }
}
