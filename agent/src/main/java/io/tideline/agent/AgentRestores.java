package io.tideline.agent;

import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Requires;
import io.tideline.core.ids.InstanceId;
import io.tideline.core.ids.RestoreId;
import io.tideline.core.instance.InstanceProvisioner;
import io.tideline.core.instance.ProvisionedInstance;
import io.tideline.core.secrets.SecretStore;
import io.tideline.core.storage.ObjectStoreSettings;
import io.tideline.core.storage.ReadOnlyGrant;
import io.tideline.core.storage.S3Clients;
import io.tideline.core.storage.ObjectStore;
import io.tideline.core.storage.S3ObjectStore;
import io.tideline.core.storage.encryption.ObjectStoreEncryption;
import io.tideline.restore.HostRecovery;
import io.tideline.restore.RestoreFailure;
import io.tideline.restore.RestoreTracker;
import io.tideline.restore.host.HostInstance;
import io.tideline.restore.host.HostRestoreRequest;
import io.tideline.restore.host.HostRestoreStatus;
import io.tideline.schemas.RestoreProgress;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The restores this agent runs, at most {@code capacity} at once. Each is the shared host script
 * ({@link HostRecovery}) reading the source bucket with the restore's read-only identity. What it makes is
 * recorded in the {@link AgentJournal} before it is made, and removed:
 * <ul>
 *   <li>on failure, at once (the status then says FAILED with the reason and what was removed);</li>
 *   <li>when the coordinator says so ({@link #remove});</li>
 *   <li>when the coordinator stopped asking about it for {@code lease} (it was killed, or cut off);</li>
 *   <li>at start, for every journal entry: a restore of a killed agent runs no more.</li>
 * </ul>
 * A recovered instance is the coordinator's once handed over ({@link #handOver}): it leaves the journal.
 */
@Context // at start, before any request: the leftovers of a killed agent are removed first
@Requires(property = AgentConfiguration.ID)
final class AgentRestores {

    private static final Logger LOG = LoggerFactory.getLogger(AgentRestores.class);
    private static final Duration STOP_WAIT = Duration.ofSeconds(60);

    /** A restore can't be taken: the host is full. */
    static final class NoCapacity extends Exception {
        NoCapacity(String reason) {
            super(reason);
        }
    }

    /** One restore here. */
    private static final class HostRun {
        final HostRestoreRequest request;
        final HostRecovery.Plan plan;
        final RestoreTracker tracker;
        volatile String state = HostRestoreStatus.RUNNING;
        volatile String failure;
        volatile HostRecovery.Result result;
        volatile Instant lastContact;
        volatile Future<?> future;

        HostRun(HostRestoreRequest request, HostRecovery.Plan plan, Instant now) {
            this.request = request;
            this.plan = plan;
            this.tracker = new RestoreTracker(plan.restoreId(), request.sourceInstanceId());
            this.lastContact = now;
        }

        boolean occupiesHost() {
            return !HostRestoreStatus.FAILED.equals(state);
        }
    }

    private final AgentConfiguration config;
    private final HostRecovery host;
    private final InstanceProvisioner instances;
    private final SecretStore secrets;
    private final ObjectStoreSettings storage;
    private final AgentJournal journal;
    private final Clock clock;
    private final ObjectStoreEncryption encryption;
    private final Map<RestoreId, HostRun> runs = new ConcurrentHashMap<>();
    private volatile Runnable onChange = () -> { };
    private volatile ExecutorService pool;
    private volatile ScheduledExecutorService reaper;

    AgentRestores(AgentConfiguration config, HostRecovery host, InstanceProvisioner instances, SecretStore secrets,
                  ObjectStoreSettings storage, AgentJournal journal, Clock clock, ObjectStoreEncryption encryption) {
        this.config = config;
        this.encryption = encryption;
        this.host = host;
        this.instances = instances;
        this.secrets = secrets;
        this.storage = storage;
        this.journal = journal;
        this.clock = clock;
    }

    @PostConstruct
    void start() {
        removeLeftovers();
        AtomicInteger n = new AtomicInteger();
        pool = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "agent-restore-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        reaper = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "agent-lease-reaper");
            t.setDaemon(true);
            return t;
        });
        long every = Math.max(200, Math.min(1_000, config.lease().toMillis() / 4));
        reaper.scheduleWithFixedDelay(this::reapAbandoned, every, every, TimeUnit.MILLISECONDS);
    }

    @PreDestroy
    void stop() {
        if (reaper != null) {
            reaper.shutdownNow();
        }
        if (pool != null) {
            // Running restores are interrupted and fail: their failure path removes what they made.
            pool.shutdownNow();
        }
    }

    /** Called whenever the free capacity changes (the announcer says so at once). */
    void onChange(Runnable listener) {
        this.onChange = listener;
    }

    int capacity() {
        return config.capacity();
    }

    /** Restores that hold a place on this host now (running, or recovered and not yet handed over). */
    int occupied() {
        return (int) runs.values().stream().filter(HostRun::occupiesHost).count();
    }

    int free() {
        return Math.max(0, config.capacity() - occupied());
    }

    /**
     * Starts the restore (idempotent per restore id: asked again, answers its status).
     *
     * @throws NoCapacity when the host runs {@code capacity} restores already
     * @throws IllegalArgumentException when the request is malformed
     */
    synchronized HostRestoreStatus start(HostRestoreRequest request) throws NoCapacity {
        HostRecovery.Plan plan = request.plan();
        HostRun known = runs.get(plan.restoreId());
        if (known != null) {
            known.lastContact = clock.instant();
            return status(known);
        }
        if (free() == 0) {
            throw new NoCapacity("agent " + config.id() + " on host " + config.effectiveHost() + " runs " + occupied() + " of "
                    + config.capacity() + " restore(s)");
        }
        HostRun run = new HostRun(request, plan, clock.instant());
        journal.record(plan.restoreId(), plan.newInstance()); // before anything is made: a kill leaves a known leftover
        runs.put(plan.restoreId(), run);
        run.future = pool.submit(() -> run(run));
        LOG.info("restore {}: recovering {} from {} here ({} of {} place(s) taken)", plan.restoreId(), plan.newInstance(),
                request.sourceInstanceId(), occupied(), config.capacity());
        onChange.run();
        return status(run);
    }

    /** The restore's status; the coordinator asking is what keeps its lease. */
    Optional<HostRestoreStatus> status(RestoreId id) {
        HostRun run = runs.get(id);
        if (run == null) {
            return Optional.empty();
        }
        run.lastContact = clock.instant();
        return Optional.of(status(run));
    }

    /**
     * The recovered instance becomes the coordinator's: new passwords (none of its source's), out of the journal.
     *
     * @throws IllegalStateException when the restore is not recovered (unknown, running or failed)
     */
    synchronized HostInstance handOver(RestoreId id) {
        HostRun run = runs.get(id);
        if (run == null || !HostRestoreStatus.RECOVERED.equals(run.state)) {
            throw new IllegalStateException("restore " + id + " is " + (run == null ? "unknown here" : run.state.toLowerCase())
                    + ", not recovered");
        }
        InstanceId instance = run.plan.newInstance();
        instances.rotatePasswords(instance);
        ProvisionedInstance server = instances.get(instance);
        journal.forget(id);
        runs.remove(id);
        LOG.info("restore {}: {} handed over ({}:{})", id, instance, server.host(), server.port());
        onChange.run();
        return new HostInstance(instance.value(), server.host(), server.port(), server.database(), server.dataDir().toString(),
                server.postgresVersion());
    }

    /** Stops the restore if it runs and removes what it made; a sentence saying what happened. */
    String remove(RestoreId id, String by) {
        HostRun run = runs.get(id);
        String what;
        if (run == null) {
            Optional<InstanceId> leftover = Optional.ofNullable(journal.entries().get(id));
            what = leftover.map(i -> removeInstance(id, i)).orElse("restore " + id + " is unknown here; nothing to remove");
        } else {
            run.tracker.cancel(by);
            awaitEnd(run);
            what = HostRestoreStatus.FAILED.equals(run.state) ? "restore " + id + " stopped; " + run.failure
                    : removeInstance(id, run.plan.newInstance());
            runs.remove(id);
        }
        LOG.info("restore {}: removal asked by {}: {}", id, by, what);
        onChange.run();
        return what;
    }

    private void run(HostRun run) {
        RestoreId id = run.plan.restoreId();
        ReadOnlyGrant grant = run.request.readGrant();
        // The source bucket is read with the restore's read-only identity only: this agent never holds a write key of it.
        try (S3Client client = S3Clients.create(storage, readKey(grant, grant.accessKeyRef()), readKey(grant, grant.secretKeyRef()))) {
            // Objects are encrypted at rest: read through the source instance's keys (a KMS decrypt grant in production).
            ObjectStore source = encryption.apply(grant.source(), new S3ObjectStore(client, grant.bucket(), storage, clock));
            run.result = host.recover(run.plan, source, run.tracker, tracker -> { }, () -> { });
            run.state = HostRestoreStatus.RECOVERED;
            LOG.info("restore {}: {} recovered, waiting for the coordinator to take it over", id, run.plan.newInstance());
        } catch (RuntimeException e) {
            String reason = run.tracker.cancelledBy().map(RestoreTracker::cancelReason)
                    .orElse(e instanceof RestoreFailure ? e.getMessage() : "unexpected error on agent " + config.id() + ": " + e);
            LOG.error("restore {} failed on this host: {}", id, reason, e);
            run.failure = reason + "; " + removeInstance(id, run.plan.newInstance());
            run.state = HostRestoreStatus.FAILED;
            onChange.run();
        }
    }

    private String readKey(ReadOnlyGrant grant, io.tideline.core.secrets.SecretRef ref) {
        return secrets.find(ref).orElseThrow(() -> new RestoreFailure("the read-only identity of restore " + grant.restore()
                + " on bucket " + grant.bucket() + " is not in the secret store (revoked, or never minted)"));
    }

    /** Removes a half-made instance (server, data, secrets) and its journal entry. */
    private String removeInstance(RestoreId restore, InstanceId instance) {
        try {
            instances.destroy(instance);
            journal.forget(restore);
            return "the half-made instance " + instance + " was removed from host " + config.effectiveHost();
        } catch (RuntimeException e) {
            LOG.error("could not remove the half-made instance {} of restore {}", instance, restore, e);
            return "the half-made instance " + instance + " could not be removed from host " + config.effectiveHost() + ": "
                    + e.getMessage();
        }
    }

    /** At start: nothing runs yet, so every journal entry is a restore a killed agent left half-made. */
    private void removeLeftovers() {
        journal.entries().forEach((restore, instance) -> {
            LOG.warn("restore {} was running when this agent stopped; removing its half-made instance {}", restore, instance);
            removeInstance(restore, instance);
        });
    }

    /** Restores the coordinator stopped asking about (it was killed, or cut off) are stopped and removed. */
    private void reapAbandoned() {
        Instant now = clock.instant();
        for (Map.Entry<RestoreId, HostRun> e : List.copyOf(runs.entrySet())) {
            HostRun run = e.getValue();
            if (Duration.between(run.lastContact, now).compareTo(config.lease()) <= 0) {
                continue;
            }
            if (HostRestoreStatus.FAILED.equals(run.state)) {
                runs.remove(e.getKey()); // already removed; the coordinator will not come for its reason any more
            } else {
                try {
                    remove(e.getKey(), "agent " + config.id() + " (the coordinator did not ask about it for " + config.lease() + ")");
                } catch (RuntimeException failure) {
                    LOG.error("could not remove abandoned restore {}", e.getKey(), failure);
                }
            }
        }
    }

    private static void awaitEnd(HostRun run) {
        Future<?> future = run.future;
        if (future == null) {
            return;
        }
        try {
            future.get(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.CancellationException e) {
            // the run reports its own failure
        }
    }

    private HostRestoreStatus status(HostRun run) {
        RestoreProgress p = run.tracker.snapshot(clock.instant());
        HostRecovery.Result r = run.result;
        return new HostRestoreStatus(run.plan.restoreId().value(), config.id(), run.plan.newInstance().value(), run.state,
                p.getPhase().name(), p.getBytesDone(), p.getBytesTotal(), p.getWalSegmentsReplayed(), p.getMessage(), run.failure,
                r == null ? null : r.verified().timeline(),
                r == null ? null : r.verified().lastCommit().map(Instant::toString).orElse(null),
                r == null ? null : r.fetched().through().map(Object::toString).orElse(null),
                r == null ? 0 : r.fetched().served(), r == null ? 0 : r.fetched().fromSpool(),
                p.getReplayedTo() == null ? null : p.getReplayedTo().toString());
    }
}
