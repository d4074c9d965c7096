package io.tideline.restore;

import io.tideline.core.basebackup.BackupManifest;
import io.tideline.core.ids.InstanceId;
import io.tideline.core.instance.AllocatedInstance;
import io.tideline.core.instance.InstanceCredentials;
import io.tideline.core.instance.InstanceProvisioner;
import io.tideline.core.instance.RecoverySettings;
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
import io.tideline.schemas.RestorePhase;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Steps 1-6 of a restore, shared by a user's restore ({@link RestoreProcess}, which then registers the new
 * instance) and a restore drill ({@link DrillRestores}, which checks the copy and removes it): provision the
 * new instance (bucket, data directory, the source's passwords under the new instance's references — the
 * roles come inside the backup), download and unpack the backup, recover with WAL served from the source
 * bucket, and verify that the promoted server answers. Where the progress goes is the caller's
 * ({@link Progress}): a user's restore publishes it, a drill only times its phases.
 */
@Singleton
final class RecoverySteps {

    private static final Logger LOG = LoggerFactory.getLogger(RecoverySteps.class);

    private final RestoreConfiguration config;
    private final InstanceProvisioner instances;
    private final StorageProvisioner storage;
    private final SecretStore secrets;
    private final ObjectStores stores;
    private final WalServer walServer;
    private final WalEndpoint walEndpoint;
    private final PromotedInstanceCheck checks;

    RecoverySteps(RestoreConfiguration config, InstanceProvisioner instances, StorageProvisioner storage, SecretStore secrets,
                  ObjectStores stores, WalServer walServer, WalEndpoint walEndpoint) {
        this.config = config;
        this.instances = instances;
        this.storage = storage;
        this.secrets = secrets;
        this.stores = stores;
        this.walServer = walServer;
        this.walEndpoint = walEndpoint;
        this.checks = new PromotedInstanceCheck(secrets);
    }

    /** Where a restore's progress goes: called at every phase change and at the end of a phase's counting. */
    @FunctionalInterface
    interface Progress {
        void report(RestoreTracker tracker);
    }

    /** What this run made, so a failure removes exactly that. */
    static final class Made {
        boolean bucket;
        boolean server;
        boolean registered;
    }

    /** The new instance, recovered and promoted, and what recovery took to get there. */
    record Recovered(NewInstance fresh, BackupManifest manifest, Verified verified, WalFetched fetched) {
    }

    /**
     * Steps 1-6 as a script; each step reports its phase, and {@code made} records what exists so that a failure
     * removes exactly that (the caller removes it: the WAL session is closed here in every case).
     */
    Recovered recover(RestorePlan plan, RestoreTracker tracker, Made made, Progress progress) {
        try {
            NewInstance fresh = allocateNewInstance(plan, tracker, made, progress);
            ObjectStore sourceStore = stores.forInstance(plan.sourceId());
            BackupManifest manifest = readManifest(sourceStore, plan);
            WalSession wal = startWalPrefetch(plan, sourceStore, fresh, manifest);
            downloadBackup(plan, tracker, sourceStore, fresh, manifest, progress);
            Recovery recovery = startRecovering(plan, tracker, fresh, manifest, progress);
            WalFetched fetched = awaitPromotion(plan, tracker, wal, recovery, progress);
            Verified verified = verifyNewInstance(plan, tracker, progress);
            return new Recovered(fresh, manifest, verified, fetched);
        } finally {
            walServer.close(plan.restoreId());
        }
    }

    /** The new instance as allocated: its bucket grant and its empty data directory. */
    record NewInstance(BucketGrant grant, AllocatedInstance allocated) {
    }

    /** Recovery as started: the command that fetches WAL, and the target. */
    private record Recovery(String restoreCommand, RestoreTarget target) {
        /** The target time, when the target is a time (then the archive may end before the target is seen). */
        Optional<Instant> time() {
            return target.targetTime();
        }
    }

    /** What the WAL session handed the server, read before it is closed. */
    record WalFetched(Optional<WalSegmentName> through, long served, long fromSpool) {
    }

    /**
     * Step 1: the new instance's bucket and server place, opened with the SOURCE's roles (they come inside
     * the backup) under the new instance's secret references, holding the source's passwords until rotated.
     */
    private NewInstance allocateNewInstance(RestorePlan plan, RestoreTracker tracker, Made made, Progress progress) {
        RegisteredInstance source = plan.source();
        InstanceId target = plan.newInstance();
        phase(progress, tracker, RestorePhase.PROVISIONING, null, "provisioning instance " + target + " and its bucket");
        made.bucket = true; // provision is idempotent and the name was free: whatever exists under it now is ours
        BucketGrant grant = storage.provision(target);
        InstanceCredentials credentials = InstanceCredentials.forCopy(target, source.superuser(), source.replicationUser());
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
                                BackupManifest manifest, Progress progress) {
        phase(progress, tracker, RestorePhase.RESTORING_BACKUP, manifest.rawBytes(), "downloading and unpacking backup "
                + manifest.backupId() + " (" + manifest.parts().size() + " part(s), " + manifest.storedBytes() + " bytes stored)");
        Path dataDir = fresh.allocated().dataDir();
        new BackupDownloader(config.downloadParallelism()).restore(sourceStore, manifest, dataDir,
                dataDir.resolveSibling("restore-download"), tracker::bytes);
        progress.report(tracker); // the phase's final count
    }

    /** Step 4: recovery settings (WAL from this service, the target, promote at the end) written and the server started. */
    private Recovery startRecovering(RestorePlan plan, RestoreTracker tracker, NewInstance fresh, BackupManifest manifest,
                                     Progress progress) {
        Recovery recovery = new Recovery(walEndpoint.restoreCommand(plan.restoreId(), fresh.allocated().walSpool()),
                plan.target());
        // Served WAL is counted in whole segments, from the start of the backup's first one.
        Long walTotal = !(plan.target() instanceof RestoreTarget.Latest) ? null : plan.backup().walReachedLsn().bytesSince(
                manifest.startLsn().minus(manifest.startLsn().segmentOffset(plan.layout().walSegmentSize())));
        phase(progress, tracker, RestorePhase.REPLAYING_WAL, walTotal, "replaying WAL to " + plan.target().describe());
        instances.startRecovering(plan.newInstance(), RecoverySettings.to(recovery.restoreCommand(), recovery.target()));
        return recovery;
    }

    /**
     * Step 5: recovery watched to its promotion together with the WAL session (a WAL failure fails the restore);
     * then the WAL is closed. A target after the archive's last commit means all of it is replayed.
     */
    private WalFetched awaitPromotion(RestorePlan plan, RestoreTracker tracker, WalSession wal, Recovery recovery, Progress progress) {
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
        progress.report(tracker); // the phase's final count
        phase(progress, tracker, RestorePhase.PROMOTING, null, "promoted; " + tracker.walSegmentsReplayed() + " WAL segment(s) fetched");
        return fetched;
    }

    /** Step 6: the promoted instance answers queries, out of recovery, on a new timeline. */
    private Verified verifyNewInstance(RestorePlan plan, RestoreTracker tracker, Progress progress) {
        InstanceId target = plan.newInstance();
        phase(progress, tracker, RestorePhase.VERIFYING, null, "checking that " + target + " answers queries");
        Verified verified = checks.verify(instances.get(target));
        LOG.info("restore {}: {} answers on timeline {}, last replayed commit {}", plan.restoreId(), target,
                verified.timeline(), verified.lastCommit().map(Instant::toString).orElse("none"));
        return verified;
    }

    private static void phase(Progress progress, RestoreTracker tracker, RestorePhase phase, Long total, String message) {
        tracker.enter(phase, total, message);
        progress.report(tracker);
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
