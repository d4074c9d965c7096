package io.tideline.archiver.basebackup;

import io.tideline.core.basebackup.BackupLabel;
import io.tideline.core.basebackup.BackupManifest;
import io.tideline.core.ids.BackupId;
import io.tideline.core.ids.InstanceId;
import io.tideline.core.kafka.InvalidRecordException;
import io.tideline.core.registry.InstanceRegistry;
import io.tideline.core.registry.RegisteredInstance;
import io.tideline.core.postgres.PostgresTls;
import io.tideline.core.secrets.SecretStore;
import io.tideline.core.storage.BucketLayout;
import io.tideline.core.storage.ObjectStore;
import io.tideline.core.storage.ObjectStores;
import io.tideline.core.storage.StorageException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes the base backup a {@link BackupRequest} asks for, at most once per command id, and tells the
 * timeline how it went. The steps, in this order because each one's promise rests on the previous:
 * <ol>
 *   <li>skip when the bucket already holds a complete backup of this command (or this process is
 *       taking it);</li>
 *   <li>read the cluster's identity; start {@code pg_basebackup}; publish {@code BackupStarted} as soon
 *       as the stream's {@code backup_label} gives the start point;</li>
 *   <li>compress and store the stream as part objects while it arrives ({@link CompressedParts});</li>
 *   <li>when {@code pg_basebackup} exited 0 and every part is confirmed with its sha256, store
 *       {@code manifest.json}: from then on it is a complete backup;</li>
 *   <li>wait until the bucket holds the WAL from its start to its end LSN, then publish
 *       {@code BackupCompleted}: only now can it be restored.</li>
 * </ol>
 * Any failure publishes {@code BackupFailed} with the reason and removes what was stored; if the store
 * itself is unreachable, the parts stay behind WITHOUT a manifest, which no restore ever uses.
 * Transient trouble of Kafka or of the bucket before anything started is thrown, so the listener
 * retries the command.
 *
 * <p>An archiver that dies mid-backup (kill -9, a lost machine) publishes nothing and commits nothing:
 * its command comes back to whichever replica the consumer group gives the instance's partition next.
 * Before taking anything, that replica fails what the timeline shows started and never ended for the
 * instance ({@link UnfinishedBackups}) and has no manifest: its parts are removed, then
 * {@code BackupFailed} is published with a reason starting {@value #INTERRUPTED}. If the interrupted
 * backup was this very command's, that failure is the command's one answer: no second backup is taken
 * beside the next one asked for. Holding the partition is what makes this safe: a live replica that is
 * still taking a backup keeps its partition until the backup ends (its poll loop is busy in it, and a
 * cooperative rebalance waits for it), so a replica only gets a command of an instance whose previous
 * owner is gone.
 */
public final class BaseBackups implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(BaseBackups.class);
    private static final Duration REGISTRY_POLL = Duration.ofMillis(200);
    /** How the reason of a backup failed because the archiver taking it died begins. */
    public static final String INTERRUPTED = "interrupted";

    /** What became of a request. */
    public enum Outcome {
        /** Stored, with its WAL; {@code BackupCompleted} published. */
        COMPLETED,
        /** {@code BackupFailed} published. */
        FAILED,
        /** The bucket already holds this command's complete, restorable backup: nothing done. */
        ALREADY_STORED,
        /** This process is taking this command's backup right now: nothing done. */
        ALREADY_RUNNING,
        /**
         * A stopped archiver had started this command's backup: it is failed as interrupted (that
         * {@code BackupFailed} answers the command), and no new backup is taken.
         */
        INTERRUPTED
    }

    private final BackupSettings settings;
    private final InstanceRegistry registry;
    private final ObjectStores stores;
    private final SecretStore secrets;
    private final BackupEvents events;
    private final BackupProgressReporter progress;
    private final Clock clock;
    private final BackupStream backupStream;
    private final UnfinishedBackups unfinished;
    private final StoredBackups storedBackups = new StoredBackups();
    private final Set<String> running = ConcurrentHashMap.newKeySet();
    /** The backups this process is taking: never "interrupted", whatever the timeline says. */
    private final Set<BackupId> taking = ConcurrentHashMap.newKeySet();
    /** Counted down when the service shuts down, so no wait outlives it (the consumer's close waits for us). */
    private final java.util.concurrent.CountDownLatch stopping = new java.util.concurrent.CountDownLatch(1);
    private final SecureRandom random = new SecureRandom();

    BaseBackups(BackupSettings settings, InstanceRegistry registry, ObjectStores stores, SecretStore secrets,
                BackupEvents events, BackupProgressReporter progress, UnfinishedBackups unfinished, PartPipeline parts,
                Clock clock) {
        this.settings = settings;
        this.unfinished = unfinished;
        this.registry = registry;
        this.stores = stores;
        this.secrets = secrets;
        this.events = events;
        this.progress = progress;
        this.clock = clock;
        this.backupStream = new BackupStream(settings, clock, parts);
    }

    /**
     * Handles one request to the end (which includes waiting for the WAL). Throws
     * {@link InvalidRecordException} for an instance the registry does not know; other exceptions are
     * transient and the request should be retried.
     */
    public Outcome handle(BackupRequest request) throws InterruptedException {
        RegisteredInstance instance = resolve(request.instance());
        if (!running.add(request.commandId())) {
            LOG.info("skipping {}: its backup is being taken by this archiver right now", request);
            return Outcome.ALREADY_RUNNING;
        }
        try {
            ObjectStore store = stores.forInstance(instance.id());
            BucketLayout layout = BucketLayout.forSegmentSize(instance.walSegmentSize());
            Optional<BackupManifest> existing = storedBackups.byCommand(store, layout, request.commandId());
            if (existing.isPresent()) {
                return resume(request, store, layout, existing.get());
            }
            if (failInterrupted(request, store, layout)) {
                return Outcome.INTERRUPTED;
            }
            return take(request, instance, store, layout);
        } finally {
            running.remove(request.commandId());
        }
    }

    /**
     * A complete backup of this command is stored: either all is done (a redelivered or repeated
     * command), or an archiver stopped while waiting for its WAL, and the wait goes on here.
     */
    private Outcome resume(BackupRequest request, ObjectStore store, BucketLayout layout, BackupManifest manifest)
            throws InterruptedException {
        if (WalCoverage.check(store, layout, manifest.backupId()).restorable()) {
            LOG.info("skipping {}: backup {} of this command is stored and restorable", request, manifest.backupId());
            return Outcome.ALREADY_STORED;
        }
        LOG.info("{}: backup {} of this command is stored but its WAL is not yet; waiting for it", request, manifest.backupId());
        RunningBackup run = new RunningBackup(manifest.instanceId(), manifest.backupId(), request.commandId(), manifest.startedAt());
        run.streaming(manifest::storedBytes);
        run.addDone(manifest.rawBytes());
        progress.begin(run);
        try {
            return awaitWal(run, store, layout, manifest);
        } finally {
            progress.end(run);
        }
    }

    /**
     * Fails, cleaned, each backup of the request's instance that a stopped archiver left without a
     * manifest (one with a manifest is complete, and its command resumes the wait for its WAL). The
     * parts go before the event, so a {@code BackupFailed} never names a backup still in the bucket;
     * a store or Kafka that does not answer is thrown, and the command retried. True if one of them
     * was this request's own.
     */
    private boolean failInterrupted(BackupRequest request, ObjectStore store, BucketLayout layout)
            throws InterruptedException {
        boolean ownCommand = false;
        for (UnfinishedBackups.Unfinished left : unfinished.of(request.instance(), settings.registryCatchUpTimeout())) {
            if (taking.contains(left.backup()) || store.head(layout.backupManifest(left.backup())).isPresent()) {
                continue;
            }
            int parts = store.list(layout.backupPrefix(left.backup())).size();
            storedBackups.delete(store, layout, left.backup());
            String reason = INTERRUPTED + ": the archiver taking it stopped before it was stored; its " + parts
                    + " stored part(s) were removed";
            LOG.warn("backup {} of {} ({}), started {}, failed: {}", left.backup(), left.instance(), left.commandId(),
                    left.startedAt(), reason);
            events.failed(left.instance(), left.backup(), left.commandId(), left.startedAt(), reason);
            if (left.commandId().equals(request.commandId())) {
                ownCommand = true;
            }
        }
        if (ownCommand) {
            LOG.info("{}: its backup was interrupted and is failed; the command is answered, no new backup is taken", request);
        }
        return ownCommand;
    }

    private Outcome take(BackupRequest request, RegisteredInstance instance, ObjectStore store, BucketLayout layout)
            throws InterruptedException {
        Instant startedAt = clock.instant();
        BackupId backupId = BackupId.of(startedAt, suffix());
        RunningBackup run = new RunningBackup(instance.id(), backupId, request.commandId(), startedAt);
        taking.add(backupId);
        progress.begin(run);
        try {
            LOG.info("{}: taking backup {} of {}:{}", request, backupId, instance.host(), instance.port());
            Optional<BackupManifest> stored = streamAndStore(run, instance, store, layout);
            if (stored.isEmpty()) {
                return Outcome.FAILED;
            }
            return awaitWal(run, store, layout, stored.get());
        } finally {
            progress.end(run);
            taking.remove(backupId);
        }
    }

    /** Steps 2 to 4; empty when the backup failed (and {@code BackupFailed} is published). */
    private Optional<BackupManifest> streamAndStore(RunningBackup run, RegisteredInstance instance, ObjectStore store,
                                                    BucketLayout layout) throws InterruptedException {
        String password = secrets.get(instance.replicationSecret());
        BackupManifest manifest;
        try {
            BackupStream.Job job = new BackupStream.Job(instance, password, store, layout, run.backup(), run.commandId(),
                    run.startedAt(), PostgresTls.forInstance(secrets, instance.id()));
            manifest = backupStream.take(job, new BackupStream.Listener() {
                @Override
                public void started(BackupLabel label, LongSupplier storedBytes) {
                    events.started(run.instance(), run.backup(), run.commandId(), label, run.startedAt());
                    run.streaming(storedBytes);
                    LOG.info("backup {} of {} started at {} on timeline {}", run.backup(), run.instance(),
                            label.startLsn(), label.timeline());
                }

                @Override
                public void rawBytes(long bytes) {
                    run.addDone(bytes);
                }

                @Override
                public void totalEstimate(long bytes) {
                    run.totalEstimate(bytes);
                }
            });
        } catch (BackupStream.Failure e) {
            fail(run, e.started() ? run.startedAt() : null, e.getMessage());
            return Optional.empty();
        }
        try {
            store.put(layout.backupManifest(run.backup()), manifest.toJson(), Map.of());
        } catch (StorageException e) {
            // A put that threw may still have landed: remove it with the parts, or leave neither usable.
            discardStored(store, layout, run.backup());
            fail(run, run.startedAt(), "cannot store the manifest: " + e.getMessage());
            return Optional.empty();
        }
        LOG.info("backup {} of {} stored: {} parts, {} bytes raw, {} stored, WAL {} to {}", run.backup(), run.instance(),
                manifest.parts().size(), manifest.rawBytes(), manifest.storedBytes(), manifest.startLsn(), manifest.endLsn());
        return Optional.of(manifest);
    }

    /** Step 5: polls the bucket with backoff until the WAL is there or the wait times out. */
    private Outcome awaitWal(RunningBackup run, ObjectStore store, BucketLayout layout, BackupManifest manifest)
            throws InterruptedException {
        Instant deadline = clock.instant().plus(settings.walWaitTimeout());
        Duration pause = settings.walPollInitial();
        while (true) {
            String missing;
            try {
                WalCoverage.Result coverage = WalCoverage.check(store, layout, manifest.backupId());
                if (coverage.restorable()) {
                    events.completed(manifest, layout);
                    LOG.info("backup {} of {} completed: WAL {} to {} is stored", manifest.backupId(), manifest.instanceId(),
                            manifest.startLsn(), manifest.endLsn());
                    return Outcome.COMPLETED;
                }
                missing = coverage.missing();
            } catch (StorageException e) {
                missing = "cannot read the bucket: " + e.getMessage();
            }
            run.waitingForWal("waiting for WAL " + manifest.startLsn() + " to " + manifest.endLsn() + ": " + missing);
            Instant now = clock.instant();
            if (!now.isBefore(deadline)) {
                String reason = "WAL from " + manifest.startLsn() + " to " + manifest.endLsn() + " was not stored within "
                        + settings.walWaitTimeout() + " (" + missing + "); the backup was removed";
                discardStored(store, layout, manifest.backupId());
                fail(run, manifest.startedAt(), reason);
                return Outcome.FAILED;
            }
            Duration left = Duration.between(now, deadline);
            if (stopping.await(Math.max(1, (pause.compareTo(left) < 0 ? pause : left).toMillis()), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                String reason = "the archiver stopped while waiting for WAL from " + manifest.startLsn() + " to "
                        + manifest.endLsn() + " (" + missing + "); the backup was removed";
                discardStored(store, layout, manifest.backupId());
                fail(run, manifest.startedAt(), reason);
                return Outcome.FAILED;
            }
            pause = pause.multipliedBy(2).compareTo(settings.walPollMax()) > 0 ? settings.walPollMax() : pause.multipliedBy(2);
        }
    }

    private void discardStored(ObjectStore store, BucketLayout layout, BackupId backup) {
        try {
            storedBackups.delete(store, layout, backup);
        } catch (StorageException e) {
            LOG.warn("could not remove failed backup {} from {}: {}; if its manifest is gone it is an incomplete backup"
                    + " that retention removes", backup, store.bucket(), e.getMessage());
        }
    }

    private void fail(RunningBackup run, Instant announcedAt, String reason) {
        LOG.warn("backup {} of {} ({}) failed: {}", run.backup(), run.instance(), run.commandId(), reason);
        events.failed(run.instance(), run.backup(), run.commandId(), announcedAt, reason);
    }

    private RegisteredInstance resolve(InstanceId id) throws InterruptedException {
        if (!registry.awaitCaughtUp(settings.registryCatchUpTimeout())) {
            throw new IllegalStateException("the instance registry has not read tideline.instances within "
                    + settings.registryCatchUpTimeout() + "; cannot tell whether " + id + " exists");
        }
        Instant giveUp = clock.instant().plus(settings.unknownInstanceGrace());
        while (true) {
            Optional<RegisteredInstance> instance = registry.find(id);
            if (instance.isPresent()) {
                return instance.get();
            }
            if (!clock.instant().isBefore(giveUp)) {
                throw new InvalidRecordException("unknown instance " + id + ": it is not registered on tideline.instances");
            }
            if (stopping.await(REGISTRY_POLL.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                throw new InterruptedException("the archiver is shutting down");
            }
        }
    }

    private String suffix() {
        byte[] bytes = new byte[3];
        random.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    /** Waits up to {@code millis} for the shutdown; true if it began (a pool thread's backoff ends with it). */
    boolean awaitStop(long millis) throws InterruptedException {
        return stopping.await(millis, java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    /** Ends every wait of a running backup at once; called when the application starts shutting down. */
    public void stop() {
        stopping.countDown();
    }

    @Override
    public void close() {
        stop();
        progress.close();
    }
}
