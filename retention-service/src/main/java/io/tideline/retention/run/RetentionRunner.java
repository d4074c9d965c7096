package io.tideline.retention.run;

import io.tideline.core.ids.BackupId;
import io.tideline.core.ids.InstanceId;
import io.tideline.core.inventory.BucketInventoryReader;
import io.tideline.core.kafka.EventPublisher;
import io.tideline.core.kafka.Topics;
import io.tideline.core.registry.RegisteredInstance;
import io.tideline.core.restore.RestorePoint;
import io.tideline.core.storage.BucketLayout;
import io.tideline.core.storage.ObjectStore;
import io.tideline.core.storage.StorageException;
import io.tideline.core.storage.StoredObject;
import io.tideline.core.wal.Lsn;
import io.tideline.core.window.BackupEntry;
import io.tideline.core.window.BucketInventory;
import io.tideline.core.window.ListedObject;
import io.tideline.retention.ExpiryDecision;
import io.tideline.retention.RestoreClaim;
import io.tideline.retention.RetentionConfiguration;
import io.tideline.retention.RetentionPolicy;
import io.tideline.retention.restores.RestoreEventsReader;
import io.tideline.schemas.ArtifactsExpired;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One retention run of one instance, start to end: read the bucket (the source of truth) into an
 * inventory, learn the running restores (read up to date, or wait), decide with the instance's
 * {@link RetentionPolicy}, delete in the decision's safe order one object at a time, and publish
 * {@code ArtifactsExpired} for what was deleted. Plain: no Micronaut, callable from a test.
 *
 * <p>Never deletes on a wait; never deletes a key outside the layout (the inventory leaves those out)
 * or an object the inventory could not make sense of (left out too, and logged).
 */
public final class RetentionRunner {

    private static final Logger LOG = LoggerFactory.getLogger(RetentionRunner.class);

    /** Where the running restores come from ({@link RestoreEventsReader#claimsUpToDate}). */
    public interface ClaimsSource {
        RestoreEventsReader.Claims claimsUpToDate(InstanceId source, Duration timeout);
    }

    /** Told what each run saw and did (the service's meters); the runner works without one. */
    public interface Observer {
        Observer NONE = new Observer() {
            @Override
            public void inventoried(RegisteredInstance instance, BucketInventory inventory, Duration promise) {
            }

            @Override
            public void ran(InstanceId instance, String outcome, long objectsDeleted, long bytesFreed) {
            }
        };

        /** The instance's bucket as it stands after the run's deletions, and its retention promise. */
        void inventoried(RegisteredInstance instance, BucketInventory inventory, Duration promise);

        /** A run ended: its outcome ({@link RunOutcome.Kind} in lower case, or {@code error} when it threw). */
        void ran(InstanceId instance, String outcome, long objectsDeleted, long bytesFreed);
    }

    private final Function<InstanceId, Optional<RegisteredInstance>> registry;
    private final Function<InstanceId, ObjectStore> stores;
    private final ClaimsSource restores;
    private final EventPublisher publisher;
    private final RetentionConfiguration config;
    private final Clock clock;
    private Observer observer = Observer.NONE;

    public RetentionRunner(Function<InstanceId, Optional<RegisteredInstance>> registry, Function<InstanceId, ObjectStore> stores,
                           ClaimsSource restores, EventPublisher publisher, RetentionConfiguration config, Clock clock) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.stores = Objects.requireNonNull(stores, "stores");
        this.restores = Objects.requireNonNull(restores, "restores");
        this.publisher = Objects.requireNonNull(publisher, "publisher");
        this.config = Objects.requireNonNull(config, "config");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Sets who is told what each run saw and did; returns this runner. */
    public RetentionRunner observedBy(Observer observer) {
        this.observer = Objects.requireNonNull(observer, "observer");
        return this;
    }

    public RunOutcome run(InstanceId id) {
        RunOutcome outcome;
        try {
            outcome = decideAndExpire(id);
        } catch (RuntimeException e) {
            observer.ran(id, "error", 0, 0);
            throw e;
        }
        long objects = outcome.event().map(ArtifactsExpired::getObjectsDeleted).orElse(0L);
        long bytes = outcome.event().map(ArtifactsExpired::getBytesFreed).orElse(0L);
        observer.ran(id, outcome.kind().name().toLowerCase(Locale.ROOT), objects, bytes);
        return outcome;
    }

    private RunOutcome decideAndExpire(InstanceId id) {
        Optional<RegisteredInstance> registered = registry.apply(id);
        if (registered.isEmpty()) {
            return new RunOutcome(id, clock.instant(), RunOutcome.Kind.SKIPPED, List.of("instance " + id + " is not registered"),
                    List.of(), Optional.empty());
        }
        RegisteredInstance instance = registered.get();
        List<String> missing = new ArrayList<>();
        // Restores first: an event published before the listing must be known when the listing is decided on.
        RestoreEventsReader.Claims claims = restores.claimsUpToDate(id, config.catchUpTimeout());
        claims.incomplete().ifPresent(missing::add);
        List<RestoreClaim> running = claims.claims();

        ObjectStore store = stores.apply(id);
        BucketInventoryReader.BucketScan scan;
        try {
            scan = new BucketInventoryReader(BucketLayout.forSegmentSize(instance.walSegmentSize())).read(store);
        } catch (StorageException | IllegalStateException e) {
            String why = "the bucket " + store.bucket() + " could not be read: " + e.getMessage();
            LOG.warn("retention of {} waits: {}", id, why);
            return new RunOutcome(id, clock.instant(), RunOutcome.Kind.WAITED, List.of(why), List.of(), Optional.empty());
        }
        scan.problems().forEach(p -> LOG.warn("retention of {}: {} (left alone)", id, p));

        RetentionPolicy policy = config.policyFor(instance.retentionDays());
        observer.inventoried(instance, scan.inventory(), policy.retention());
        ExpiryDecision decision = policy.decide(scan.inventory(), clock.instant(), running, missing);
        if (decision instanceof ExpiryDecision.Wait wait) {
            LOG.info("retention of {} waits: {}", id, String.join("; ", wait.reasons()));
            return new RunOutcome(id, wait.decidedAt(), RunOutcome.Kind.WAITED, wait.reasons(), scan.problems(), Optional.empty());
        }
        ExpiryDecision.Expire expire = (ExpiryDecision.Expire) decision;
        if (expire.isEmpty()) {
            LOG.debug("retention of {}: nothing to expire (cutoff {}, kept {}) {}", id, expire.cutoff(),
                    expire.keptBackup().map(b -> b.id().value()).orElse("none"), expire.notes());
            RunOutcome outcome = new RunOutcome(id, expire.decidedAt(), RunOutcome.Kind.NOTHING_TO_EXPIRE, expire.notes(),
                    scan.problems(), Optional.empty());
            return expireRestorePoints(id, store, instance, scan.inventory(), expire, outcome);
        }
        RunOutcome outcome = delete(id, store, new ChangeIndexExpiry(BucketLayout.forSegmentSize(instance.walSegmentSize())), expire,
                scan.problems(), deleted -> observer.inventoried(instance, scan.inventory().without(deleted), policy.retention()));
        return outcome.kind() == RunOutcome.Kind.EXPIRED ? expireRestorePoints(id, store, instance, scan.inventory(), expire, outcome)
                : outcome;
    }

    /**
     * Restore points expire with the window: once no complete backup that stays becomes consistent before a
     * point's LSN, nothing can restore to it, and its record ({@code restore-points/<name>.json}, written by
     * {@code tideline restore-point create}) goes. Named in the outcome's reasons and the log; not in
     * {@code ArtifactsExpired}, whose counts describe backups, WAL and orphans. A failure here only leaves a
     * record the restore service refuses as "before the restorable window"; the next run tries again.
     */
    private RunOutcome expireRestorePoints(InstanceId id, ObjectStore store, RegisteredInstance instance, BucketInventory inventory,
                                           ExpiryDecision.Expire expire, RunOutcome outcome) {
        Set<BackupId> expired = new HashSet<>();
        expire.expiredBackups().forEach(b -> expired.add(b.id()));
        Optional<Lsn> oldestConsistency = inventory.backups().stream().filter(b -> !expired.contains(b.id()))
                .map(BackupEntry::endLsn).min(Comparator.naturalOrder());
        if (oldestConsistency.isEmpty()) {
            return outcome; // no backup yet: a point may become reachable once there is one
        }
        BucketLayout layout = BucketLayout.forSegmentSize(instance.walSegmentSize());
        List<String> gone = new ArrayList<>();
        try {
            for (StoredObject listed : store.list(BucketLayout.RESTORE_POINTS)) {
                RestorePoint point;
                try {
                    point = RestorePoint.parse(store.getVerified(listed.key()));
                } catch (IllegalArgumentException e) {
                    LOG.warn("retention of {}: {} is not a restore point ({}); left alone", id, listed.key(), e.getMessage());
                    continue;
                }
                if (!layout.restorePoint(point.name()).equals(listed.key())) {
                    continue; // not where Tideline writes this name: not ours to judge
                }
                if (!point.lsn().isAfter(oldestConsistency.get())) {
                    store.delete(listed.key());
                    gone.add(point.name());
                }
            }
        } catch (StorageException e) {
            LOG.warn("retention of {}: expiring restore points stopped: {}", id, e.getMessage());
        }
        if (gone.isEmpty()) {
            return outcome;
        }
        LOG.info("retention of {}: restore point(s) {} expired with the window (no kept backup is consistent before them)", id, gone);
        List<String> reasons = new ArrayList<>(outcome.reasons());
        reasons.add("restore points expired with the window: " + String.join(", ", gone));
        return new RunOutcome(outcome.instance(), outcome.at(), outcome.kind(), reasons, outcome.problems(), outcome.event());
    }

    private RunOutcome delete(InstanceId id, ObjectStore store, ChangeIndexExpiry changes, ExpiryDecision.Expire expire,
                              List<String> problems, Consumer<Set<String>> afterDeleting) {
        Set<String> deleted = new LinkedHashSet<>();
        String failure = null;
        for (ListedObject object : expire.deletionOrder()) {
            try {
                // One at a time and in order: a run cut short leaves a bucket whose listing tells the truth.
                // A WAL object's change index goes just before it: no index names a transaction whose WAL is gone.
                for (String index : changes.indexKeysBefore(object.key())) {
                    store.delete(index);
                }
                store.delete(object.key());
                deleted.add(object.key());
            } catch (StorageException e) {
                failure = "deleting " + object.key() + " failed after " + deleted.size() + " of "
                        + expire.deletionOrder().size() + " objects: " + e.getMessage();
                LOG.warn("retention of {}: {}", id, failure);
                break;
            }
        }
        if (failure == null && !expire.expiredWal().isEmpty()) {
            try {
                int snapshots = changes.expireCatalogSnapshots(store, expire.cutoff());
                LOG.debug("retention of {}: {} catalog snapshots expired", id, snapshots);
            } catch (StorageException e) {
                LOG.warn("retention of {}: old catalog snapshots not removed (next run tries again): {}", id, e.getMessage());
            }
        }
        if (!deleted.isEmpty()) {
            afterDeleting.accept(deleted);
        }
        Instant now = clock.instant();
        Optional<ArtifactsExpired> event = Optional.empty();
        if (!deleted.isEmpty()) {
            ArtifactsExpired expired = ExpiryEvents.of(id, expire, deleted, UUID.randomUUID(), now);
            try {
                publisher.publishAndWait(Topics.TIMELINE, id.value(), expired);
                event = Optional.of(expired);
            } catch (RuntimeException e) {
                failure = (failure == null ? "" : failure + "; ") + "publishing ArtifactsExpired failed: " + e.getMessage();
                LOG.error("retention of {} deleted {} objects but could not say so: {}", id, deleted.size(), expired, e);
            }
            LOG.info("retention of {}: kept {}, expired backups {}, WAL {}, orphans {}; {} objects, {} bytes freed (cutoff {})",
                    id, expired.getKeptBackupId(), expired.getExpiredBackupIds(), expired.getExpiredWal(), expired.getOrphanKeys(),
                    expired.getObjectsDeleted(), expired.getBytesFreed(), expire.cutoff());
        }
        if (failure != null) {
            List<String> reasons = new ArrayList<>(expire.notes());
            reasons.add(failure);
            return new RunOutcome(id, now, RunOutcome.Kind.FAILED, reasons, problems, event);
        }
        return new RunOutcome(id, now, RunOutcome.Kind.EXPIRED, expire.notes(), problems, event);
    }
}
