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
import io.tideline.core.secrets.SecretStore;
import io.tideline.core.storage.BucketGrant;
import io.tideline.core.storage.ChecksumMismatchException;
import io.tideline.core.storage.NoSuchObjectException;
import io.tideline.core.storage.ObjectStore;
import io.tideline.core.storage.ObjectStores;
import io.tideline.core.storage.StorageProvisioner;
import io.tideline.core.wal.WalSegmentName;
import io.tideline.restore.wal.WalServer;
import io.tideline.restore.wal.WalSession;
import io.tideline.schemas.RestoreCompleted;
import io.tideline.schemas.RestorePhase;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Optional;
import java.util.Properties;
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
final class RestoreProcess {

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
    }

    /** What this run made, so a failure removes exactly that. */
    private static final class Made {
        boolean bucket;
        boolean server;
        boolean registered;
    }

    /** Runs the restore to its end; publishes {@code RestoreCompleted} or {@code RestoreFailed}, never throws. */
    void run(RestorePlan plan, RestoreTracker tracker) {
        Made made = new Made();
        try {
            RestoreCompleted completed = restore(plan, tracker, made);
            events.completed(completed);
            LOG.info("restore {}: {} restored into {} ({}:{}), recovered to {}", plan.restoreId(), plan.sourceId(),
                    plan.newInstance(), completed.getHost(), completed.getPort(), completed.getRecoveredTo());
        } catch (RuntimeException e) {
            String reason = e instanceof RestoreFailure ? e.getMessage() : "unexpected error: " + e;
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

    private RestoreCompleted restore(RestorePlan plan, RestoreTracker tracker, Made made) {
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

        ObjectStore sourceStore = stores.forInstance(source.id());
        BackupManifest manifest = manifest(sourceStore, plan);
        // WAL from the backup's start is fetched (into the new instance's spool) while the backup downloads.
        WalSession wal = walServer.open(plan.restoreId(), sourceStore, plan.layout(), plan.requiredWal(), allocated.walSpool());
        wal.prefetchFrom(WalSegmentName.of(manifest.timeline(), manifest.startLsn(), plan.layout().walSegmentSize()));
        phase(tracker, RestorePhase.RESTORING_BACKUP, manifest.rawBytes(), "downloading and unpacking backup "
                + manifest.backupId() + " (" + manifest.parts().size() + " part(s), " + manifest.storedBytes() + " bytes stored)");
        new BackupDownloader(config.downloadParallelism()).restore(sourceStore, manifest, allocated.dataDir(),
                allocated.dataDir().resolveSibling("restore-download"), tracker::bytes);
        events.progress(tracker); // the phase's final count

        String command = walEndpoint.restoreCommand(plan.restoreId(), allocated.walSpool());
        Optional<Instant> time = plan.target().targetTime();
        // Served WAL is counted in whole segments, from the start of the backup's first one.
        Long walTotal = time.isPresent() ? null : plan.backup().walReachedLsn().bytesSince(
                manifest.startLsn().minus(manifest.startLsn().segmentOffset(plan.layout().walSegmentSize())));
        phase(tracker, RestorePhase.REPLAYING_WAL, walTotal, "replaying WAL to " + plan.target());
        instances.startRecovering(target, time.map(t -> RecoverySettings.toTime(command, t)).orElse(RecoverySettings.toLatest(command)));
        RecoveryMonitor monitor = new RecoveryMonitor(instances, config.progressInterval());
        RecoveryMonitor.Outcome outcome = monitor.await(target, wal, config.promotionTimeout(), time.isPresent(), tracker);
        if (outcome == RecoveryMonitor.Outcome.TARGET_AFTER_LAST_COMMIT) {
            // The archive ends before any commit later than the target, so all of it is at or before the target.
            LOG.info("restore {}: no commit after {} in the archive; replaying all of it", plan.restoreId(), time.get());
            tracker.message("no commit after the target in the archive: replaying all of it (every stored commit is before the target)");
            instances.startRecovering(target, RecoverySettings.toLatest(command));
            monitor.await(target, wal, config.promotionTimeout(), false, tracker);
        }
        Optional<WalSegmentName> replayedThrough = wal.newestServed();
        long fromSpool = wal.segmentsFromSpool();
        long served = wal.segmentsServed();
        walServer.close(plan.restoreId());
        LOG.info("restore {}: recovered; {} WAL segment(s) served, {} of them taken from the spool", plan.restoreId(), served, fromSpool);
        tracker.message("recovered; WAL fetched through " + replayedThrough.map(WalSegmentName::toString).orElse("(none needed)")
                + " (" + fromSpool + " of " + served + " segment(s) taken from the local spool)");
        events.progress(tracker); // the phase's final count

        phase(tracker, RestorePhase.PROMOTING, null, "promoted; " + tracker.walSegmentsReplayed() + " WAL segment(s) fetched");
        phase(tracker, RestorePhase.VERIFYING, null, "checking that " + target + " answers queries");
        ProvisionedInstance server = instances.get(target);
        Verified verified = verify(server);
        LOG.info("restore {}: {} answers on timeline {}, last replayed commit {}", plan.restoreId(), target,
                verified.timeline(), verified.lastCommit().map(Instant::toString).orElse("none"));

        phase(tracker, RestorePhase.REGISTERING, null, "registering " + target + " and asking for its first base backup");
        // New credentials: a restored copy must not open with its source's passwords.
        instances.rotatePasswords(target);
        server = instances.get(target);
        Instant now = events.now();
        made.registered = true; // set first: a publish that fails after reaching Kafka still registered it
        onboarding.register(server, grant, plan.newName(),
                new InstanceOnboarding.Options(source.backupWindowStartMinuteUtc(), source.retentionDays()),
                Optional.of(new RegisteredInstance.Origin(source.id(), plan.restoreId().value())), now);
        publisher.publishAndWait(Topics.BACKUP_COMMANDS, target.value(),
                BackupCommands.command(UUID.randomUUID(), target, CommandId.afterRestore(plan.restoreId()), REQUESTED_BY, now));
        Instant recoveredTo = time.orElseGet(() -> verified.lastCommit().orElse(manifest.finishedAt()));
        return RestoreCompleted.newBuilder()
                .setEventId(UUID.randomUUID())
                .setInstanceId(source.id().value())
                .setOccurredAt(events.now())
                .setRestoreId(plan.restoreId().value())
                .setNewInstanceId(target.value())
                .setHost(server.host())
                .setPort(server.port())
                .setDatabase(server.database())
                .setUser(server.adminUser())
                .setSecretRef(server.adminSecret().value())
                .setRecoveredTo(recoveredTo)
                .setWalReplayedThroughSegment(replayedThrough.map(WalSegmentName::toString).orElse(null))
                .build();
    }

    private void phase(RestoreTracker tracker, RestorePhase phase, Long total, String message) {
        tracker.enter(phase, total, message);
        events.progress(tracker);
    }

    private static BackupManifest manifest(ObjectStore store, RestorePlan plan) {
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

    /** What the new instance says about itself once promoted. */
    private record Verified(long timeline, Optional<Instant> lastCommit) {
    }

    private Verified verify(ProvisionedInstance server) {
        Properties props = new Properties();
        props.setProperty("user", server.adminUser());
        props.setProperty("password", secrets.get(server.adminSecret()));
        props.setProperty("connectTimeout", "10");
        try (Connection c = DriverManager.getConnection(server.jdbcUrl(), props);
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT pg_is_in_recovery(), pg_last_xact_replay_timestamp(), "
                     + "substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8), (SELECT count(*) FROM pg_database)")) {
            rs.next();
            if (rs.getBoolean(1)) {
                throw new RestoreFailure("the new instance " + server.id() + " is still in recovery after promotion");
            }
            Timestamp last = rs.getTimestamp(2);
            long timeline = Long.parseLong(rs.getString(3), 16);
            if (rs.getLong(4) < 1) {
                throw new RestoreFailure("the new instance " + server.id() + " lists no databases");
            }
            return new Verified(timeline, Optional.ofNullable(last).map(Timestamp::toInstant));
        } catch (SQLException e) {
            throw new RestoreFailure("the new instance " + server.id() + " does not answer queries: " + e.getMessage(), e);
        }
    }
}
