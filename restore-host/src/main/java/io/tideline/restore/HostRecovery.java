package io.tideline.restore;

import io.tideline.core.basebackup.BackupManifest;
import io.tideline.core.ids.BackupId;
import io.tideline.core.ids.InstanceId;
import io.tideline.core.ids.RestoreId;
import io.tideline.core.instance.AllocatedInstance;
import io.tideline.core.instance.InstanceCredentials;
import io.tideline.core.instance.InstanceProvisioner;
import io.tideline.core.instance.RecoverySettings;
import io.tideline.core.instance.WalSpool;
import io.tideline.core.restore.RestoreTarget;
import io.tideline.core.secrets.SecretStore;
import io.tideline.core.storage.BucketLayout;
import io.tideline.core.storage.ChecksumMismatchException;
import io.tideline.core.storage.NoSuchObjectException;
import io.tideline.core.storage.ObjectStore;
import io.tideline.core.wal.Lsn;
import io.tideline.core.wal.WalSegmentName;
import io.tideline.restore.PromotedInstanceCheck.Verified;
import io.tideline.restore.wal.WalServer;
import io.tideline.restore.wal.WalSession;
import io.tideline.restore.wal.WalToken;
import io.tideline.schemas.RestorePhase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The part of a restore that happens on the host where the new instance lives: allocate the new server,
 * read the backup's manifest and download and verify the backup from the source bucket, fetch WAL ahead into
 * the server's spool, recover to the target, watch it promote and check that it answers. Run by the restore
 * service itself on the {@code local} platform ({@code RecoverySteps}) and by a restore agent on a database
 * host; what comes before (the new bucket, the secrets) and after (registration) is the coordinator's.
 */
public final class HostRecovery {

    private static final Logger LOG = LoggerFactory.getLogger(HostRecovery.class);

    /** Where a restore's progress goes: called at every phase change and at the end of a phase's counting. */
    @FunctionalInterface
    public interface Progress {
        void report(RestoreTracker tracker);
    }

    /**
     * The {@code restore_command} a recovering server of this host fetches the restore's WAL with, presenting the
     * restore's WAL token from {@code tokenFile} (a header file curl reads; the command names the file only).
     */
    @FunctionalInterface
    public interface RestoreCommand {
        String of(RestoreId restoreId, Optional<WalSpool> spool, Path tokenFile);
    }

    /** The header file with the restore's WAL token, beside the new server's data directory (gone once recovered). */
    static final String WAL_TOKEN_FILE = "wal-token";

    /**
     * What the host needs to know of a restore.
     *
     * @param credentials   the new instance's roles (the source's, they come with the backup) and secret references
     * @param walReachedLsn where the source's contiguous stored WAL ends: the total to replay for {@code latest}
     * @param requiredWal   WAL objects stored when the restore was accepted: one of them missing fails the restore
     */
    public record Plan(RestoreId restoreId, InstanceId newInstance, InstanceCredentials credentials, BucketLayout layout,
                       BackupId backupId, Set<WalSegmentName> requiredWal, RestoreTarget target, Lsn walReachedLsn,
                       Duration promotionTimeout) {
        public Plan {
            Objects.requireNonNull(restoreId, "restoreId");
            Objects.requireNonNull(newInstance, "newInstance");
            Objects.requireNonNull(credentials, "credentials");
            Objects.requireNonNull(layout, "layout");
            Objects.requireNonNull(backupId, "backupId");
            requiredWal = Set.copyOf(requiredWal);
            Objects.requireNonNull(target, "target");
            Objects.requireNonNull(walReachedLsn, "walReachedLsn");
            Objects.requireNonNull(promotionTimeout, "promotionTimeout");
        }
    }

    /** What the WAL session handed the server, read before it is closed. */
    public record WalFetched(Optional<WalSegmentName> through, long served, long fromSpool) {
    }

    /** The new instance, recovered and promoted, and what recovery took to get there. */
    public record Result(AllocatedInstance allocated, BackupManifest manifest, Verified verified, WalFetched fetched) {
    }

    /** The WAL being served to the new server, and the file its restore_command reads the token from. */
    private record Wal(WalSession session, Path tokenFile) {
    }

    /** Recovery as started: the command that fetches WAL, and the target. */
    private record Recovery(String restoreCommand, RestoreTarget target) {
        /** The target time, when the target is a time (then the archive may end before the target is seen). */
        Optional<Instant> time() {
            return target.targetTime();
        }
    }

    private final InstanceProvisioner instances;
    private final WalServer walServer;
    private final RestoreCommand restoreCommand;
    private final int downloadParallelism;
    private final Duration progressInterval;
    private final PromotedInstanceCheck checks;
    private final RecoveryTuning tuning;
    private final ReplayPosition replayPosition;
    private final SecureRandom random = new SecureRandom();

    public HostRecovery(InstanceProvisioner instances, SecretStore secrets, WalServer walServer, RestoreCommand restoreCommand,
                        int downloadParallelism, Duration progressInterval, RecoveryTuning tuning) {
        this.instances = instances;
        this.tuning = tuning;
        this.walServer = walServer;
        this.restoreCommand = restoreCommand;
        this.downloadParallelism = downloadParallelism;
        this.progressInterval = progressInterval;
        this.checks = new PromotedInstanceCheck(secrets);
        this.replayPosition = new ReplayPosition(instances, secrets);
    }

    /**
     * The host's steps as a script, reading the backup and its WAL from {@code sourceStore}; {@code allocated} is
     * called once the new server's place exists (from then on a failure must remove it: the caller does). The WAL
     * session is closed here in every case.
     */
    public Result recover(Plan plan, ObjectStore sourceStore, RestoreTracker tracker, Progress progress, Runnable allocated) {
        StepTimes times = new StepTimes();
        Optional<Path> tokenFile = Optional.empty();
        try {
            AllocatedInstance fresh = instances.allocate(plan.newInstance(), plan.credentials());
            allocated.run();
            tokenFile = Optional.of(walTokenFile(fresh));
            times.mark("allocate");
            BackupManifest manifest = readManifest(sourceStore, plan);
            Wal wal = startWalPrefetch(plan, sourceStore, fresh, manifest, tokenFile.get());
            times.mark("manifest");
            downloadBackup(tracker, sourceStore, fresh, manifest, progress);
            times.mark("download+unpack");
            Recovery recovery = startRecovering(plan, tracker, fresh, manifest, wal, progress);
            times.mark("start recovering");
            WalFetched fetched = awaitPromotion(plan, tracker, wal, recovery, progress);
            times.mark("replay to promotion");
            restoreOwnSettings(plan, tracker, progress);
            times.mark("own settings back");
            Verified verified = verifyNewInstance(plan, tracker, progress);
            times.mark("verify");
            LOG.info("restore {}: host steps: {}", plan.restoreId(), times);
            return new Result(fresh, manifest, verified, fetched);
        } finally {
            closeWal(plan, tokenFile);
        }
    }

    /** Where the restore's WAL token goes: beside the data directory, so removing the instance removes it too. */
    private static Path walTokenFile(AllocatedInstance fresh) {
        return fresh.dataDir().toAbsolutePath().resolveSibling(WAL_TOKEN_FILE);
    }

    /**
     * WAL from the backup's start is fetched (into the new instance's spool) while the backup downloads. The
     * restore's WAL token is made here, and only the new server's OS user (the data directory's owner) may read it.
     */
    private Wal startWalPrefetch(Plan plan, ObjectStore sourceStore, AllocatedInstance fresh, BackupManifest manifest,
                                 Path tokenFile) {
        WalToken token = WalToken.random(random);
        try {
            Files.deleteIfExists(tokenFile); // a leftover of an earlier attempt at the same instance: never reused
            token.writeHeaderFile(tokenFile, Files.getOwner(fresh.dataDir()));
        } catch (IOException e) {
            throw new RestoreFailure("cannot write the WAL token file " + tokenFile + " for the new server: " + e.getMessage(), e);
        }
        WalSession wal = walServer.open(plan.restoreId(), sourceStore, plan.layout(), plan.requiredWal(), fresh.walSpool(), token);
        wal.prefetchFrom(WalSegmentName.of(manifest.timeline(), manifest.startLsn(), plan.layout().walSegmentSize()));
        return new Wal(wal, tokenFile);
    }

    /** Stops serving the restore's WAL and removes its token: once recovery ended, nobody needs either. */
    private void closeWal(Plan plan, Optional<Path> tokenFile) {
        walServer.close(plan.restoreId());
        tokenFile.ifPresent(file -> {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                // (the token is useless now: the WAL session that accepted it is closed)
                LOG.warn("restore {}: cannot remove the WAL token file {}: {}", plan.restoreId(), file, e.toString());
            }
        });
    }

    /** The backup's parts, each checked against the manifest's sha256, unpacked into the data directory. */
    private void downloadBackup(RestoreTracker tracker, ObjectStore sourceStore, AllocatedInstance fresh, BackupManifest manifest,
                                Progress progress) {
        phase(progress, tracker, RestorePhase.RESTORING_BACKUP, manifest.rawBytes(), "downloading and unpacking backup "
                + manifest.backupId() + " (" + manifest.parts().size() + " part(s), " + manifest.storedBytes() + " bytes stored)");
        Path dataDir = fresh.dataDir();
        new BackupDownloader(downloadParallelism).restore(sourceStore, manifest, dataDir,
                dataDir.resolveSibling("restore-download"), tracker::bytes);
        progress.report(tracker); // the phase's final count
    }

    /** Recovery settings (WAL from this host's endpoint, the target, promote at the end) written and the server started. */
    private Recovery startRecovering(Plan plan, RestoreTracker tracker, AllocatedInstance fresh, BackupManifest manifest,
                                     Wal wal, Progress progress) {
        Recovery recovery = new Recovery(restoreCommand.of(plan.restoreId(), fresh.walSpool(), wal.tokenFile()), plan.target());
        // Served WAL is counted in whole segments, from the start of the backup's first one.
        Long walTotal = !(plan.target() instanceof RestoreTarget.Latest) ? null : plan.walReachedLsn().bytesSince(
                manifest.startLsn().minus(manifest.startLsn().segmentOffset(plan.layout().walSegmentSize())));
        phase(progress, tracker, RestorePhase.REPLAYING_WAL, walTotal, "replaying WAL to " + plan.target().describe());
        instances.startRecovering(plan.newInstance(), RecoverySettings.to(recovery.restoreCommand(), recovery.target())
                .withRecoveryOnly(tuning.serverSettings()));
        return recovery;
    }

    /**
     * Recovery watched to its promotion together with the WAL session (a WAL failure fails the restore); then
     * the WAL is closed. A target after the archive's last commit means all of it is replayed.
     */
    private WalFetched awaitPromotion(Plan plan, RestoreTracker tracker, Wal served, Recovery recovery, Progress progress) {
        WalSession wal = served.session();
        InstanceId target = plan.newInstance();
        RecoveryMonitor monitor = new RecoveryMonitor(instances, progressInterval, Optional.of(replayPosition));
        RecoveryMonitor.Outcome outcome = monitor.await(target, wal, plan.promotionTimeout(), recovery.time().isPresent(), tracker);
        if (outcome == RecoveryMonitor.Outcome.TARGET_AFTER_LAST_COMMIT) {
            // The archive ends before any commit later than the target, so all of it is at or before the target.
            LOG.info("restore {}: no commit after {} in the archive; replaying all of it", plan.restoreId(), recovery.time().get());
            tracker.message("no commit after the target in the archive: replaying all of it (every stored commit is before the target)");
            instances.startRecovering(target, RecoverySettings.toLatest(recovery.restoreCommand())
                    .withRecoveryOnly(tuning.serverSettings()));
            monitor.await(target, wal, plan.promotionTimeout(), false, tracker);
        }
        WalFetched fetched = new WalFetched(wal.newestServed(), wal.segmentsServed(), wal.segmentsFromSpool());
        closeWal(plan, Optional.of(served.tokenFile()));
        LOG.info("restore {}: recovered; {} WAL segment(s) served, {} of them taken from the spool", plan.restoreId(),
                fetched.served(), fetched.fromSpool());
        tracker.message("recovered; WAL fetched through " + fetched.through().map(WalSegmentName::toString).orElse("(none needed)")
                + " (" + fetched.fromSpool() + " of " + fetched.served() + " segment(s) taken from the local spool)");
        progress.report(tracker); // the phase's final count
        phase(progress, tracker, RestorePhase.PROMOTING, null, "promoted; " + tracker.walSegmentsReplayed() + " WAL segment(s) fetched");
        return fetched;
    }

    /**
     * The settings chosen for replay speed (fsync off, ...) give way to the instance's own, and its data is synced
     * to disk: before this the instance is not durable, so nothing may use it yet (a crash up to here fails the restore,
     * and its half-made instance is removed).
     */
    private void restoreOwnSettings(Plan plan, RestoreTracker tracker, Progress progress) {
        if (tuning.serverSettings().isEmpty()) {
            return;
        }
        long started = System.nanoTime();
        instances.finishRecovery(plan.newInstance());
        LOG.info("restore {}: {} restarted with its own settings and synced to disk in {} ms", plan.restoreId(), plan.newInstance(),
                (System.nanoTime() - started) / 1_000_000);
        tracker.message("restarted with its own settings (recovery ran with " + tuning.serverSettings() + "); data synced to disk");
        progress.report(tracker);
    }

    /** The promoted instance answers queries, out of recovery, on a new timeline. */
    private Verified verifyNewInstance(Plan plan, RestoreTracker tracker, Progress progress) {
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
    private static BackupManifest readManifest(ObjectStore store, Plan plan) {
        String key = plan.layout().backupManifest(plan.backupId());
        try {
            BackupManifest manifest = BackupManifest.parse(store.getVerified(key));
            if (!manifest.backupId().equals(plan.backupId())) {
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
