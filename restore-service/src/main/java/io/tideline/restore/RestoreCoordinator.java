package io.tideline.restore;

import io.micronaut.context.annotation.Requires;
import io.micronaut.context.annotation.Value;
import io.tideline.core.ids.InstanceId;
import io.tideline.core.ids.RestoreId;
import io.tideline.core.instance.InstanceProvisioner;
import io.tideline.core.inventory.BucketInventoryReader;
import io.tideline.core.kafka.InvalidRecordException;
import io.tideline.core.kafka.KeyPartitioner;
import io.tideline.core.kafka.Topics;
import io.tideline.core.registry.InstanceRegistry;
import io.tideline.core.registry.RegisteredInstance;
import io.tideline.core.storage.BucketLayout;
import io.tideline.core.storage.ObjectStores;
import io.tideline.core.storage.StorageException;
import io.tideline.core.window.BucketInventory;
import io.tideline.schemas.RestoreProgress;
import io.tideline.schemas.RestoreRequested;
import io.tideline.schemas.serde.EventCodec;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The restore service's one entry: {@link #handle} answers a {@code RestoreRequested}.
 *
 * <ol>
 *   <li>A restore id the service has answered before (it knows them from {@code tideline.restore-events})
 *       is ignored: redelivery never makes a second instance.</li>
 *   <li>{@link RestoreValidator} decides from the fleet registry and the source BUCKET; a rejection is
 *       published and nothing is provisioned.</li>
 *   <li>Otherwise {@code RestoreAccepted} is published first (it names the backup, so retention keeps it),
 *       then {@link RestoreProcess} runs on a restore thread; the request's offset is committed once it
 *       was accepted, so the listener is never held for the length of a restore.</li>
 * </ol>
 * A restore accepted by a replica that then stopped (crash, restart, hand-over of its partitions) is
 * found by the sweep: accepted, not finished, its source's requests now owned here, not running here,
 * and silent for {@code abandon-after}. It is failed cleanly — its half-made instance and bucket removed,
 * {@code RestoreFailed} published — never resumed half-way and never left behind.
 */
@Singleton
@Requires(property = RestoreConfiguration.ENABLED, notEquals = "false")
public class RestoreCoordinator {

    private static final Logger LOG = LoggerFactory.getLogger(RestoreCoordinator.class);
    private static final Duration REPLAY_TIMEOUT = Duration.ofSeconds(30);
    /** How long a request waits for the registry's first full read of the instances topic (then it is retried). */
    private static final Duration REGISTRY_CATCH_UP = Duration.ofSeconds(30);

    /** A restore this replica has accepted and runs (or will run when a restore thread is free). */
    private record Active(RestorePlan plan, RestoreTracker tracker, AtomicInteger announced) {
    }

    private final RestoreConfiguration config;
    private final InstanceRegistry registry;
    private final InstanceProvisioner instances;
    private final ObjectStores stores;
    private final RestoreLedger ledger;
    private final RestoreEventLog eventLog;
    private final RestoreEvents events;
    private final RestoreProcess process;
    private final HalfMadeInstances halfMade;
    private final Clock clock;
    private final ExecutorService runners;
    private final ScheduledExecutorService timer;
    private final Map<RestoreId, Active> active = new ConcurrentHashMap<>();
    private final Map<RestoreId, RestoreProgress> lastPublished = new ConcurrentHashMap<>();
    private final Set<Integer> owned = ConcurrentHashMap.newKeySet();
    private final Object decisions = new Object();
    private volatile int requestPartitions;

    RestoreCoordinator(RestoreConfiguration config, InstanceRegistry registry, InstanceProvisioner instances, ObjectStores stores,
                       RestoreLedger ledger, RestoreEvents events, RestoreProcess process, HalfMadeInstances halfMade,
                       EventCodec codec, Clock clock, @Value("${kafka.bootstrap.servers}") String bootstrapServers) {
        this.config = config;
        this.registry = registry;
        this.instances = instances;
        this.stores = stores;
        this.ledger = ledger;
        this.events = events;
        this.process = process;
        this.halfMade = halfMade;
        this.clock = clock;
        this.eventLog = new RestoreEventLog(bootstrapServers, codec);
        AtomicInteger n = new AtomicInteger();
        this.runners = Executors.newFixedThreadPool(config.maxConcurrentRestores(), r -> daemon(r, "restore-" + n.incrementAndGet()));
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "restore-timer"));
        long progress = config.progressInterval().toMillis();
        timer.scheduleWithFixedDelay(this::heartbeat, progress, progress, TimeUnit.MILLISECONDS);
        long sweep = Math.max(1_000, config.abandonAfter().toMillis() / 2);
        timer.scheduleWithFixedDelay(this::sweepQuietly, sweep, sweep, TimeUnit.MILLISECONDS);
    }

    /**
     * Answers one request: ignored if answered before, else rejected or accepted (and then run).
     *
     * @param key the record key (the source instance)
     * @throws InvalidRecordException when the record can never be answered (no valid restore id)
     */
    public void handle(String key, RestoreRequested event) {
        RestoreRequest request;
        try {
            request = RestoreRequest.from(key, event);
        } catch (IllegalArgumentException e) {
            throw new InvalidRecordException("restore request cannot be answered: " + e.getMessage(), e);
        }
        synchronized (decisions) {
            RestoreId id = request.restoreId();
            Optional<RestoreLedger.Entry> known = ledger.find(id);
            if (active.containsKey(id) || known.isPresent()) {
                LOG.info("restore {} was answered before ({}); ignoring the request delivered again", id,
                        known.map(e -> e.status().name()).orElse("running"));
                return;
            }
            awaitSource(request.source());
            RestoreValidator.Decision decision;
            try {
                decision = new RestoreValidator(new FleetView(), this::inventoryOf).validate(request, clock.instant());
            } catch (StorageException e) {
                decision = new RestoreValidator.Decision.Reject("could not read the backups of " + request.source()
                        + " from its bucket (" + e.getMessage() + "); nothing was provisioned — ask again later");
            }
            if (decision instanceof RestoreValidator.Decision.Reject reject) {
                LOG.info("restore {} of {} rejected: {}", id, request.source(), reject.reason());
                events.rejected(request, reject.reason());
                return;
            }
            RestorePlan plan = ((RestoreValidator.Decision.Accept) decision).plan();
            Active run = new Active(plan, new RestoreTracker(id, plan.sourceId().value()), new AtomicInteger());
            active.put(id, run);
            try {
                events.accepted(plan);
            } catch (RuntimeException e) {
                active.remove(id);
                throw e; // nothing was made yet: the listener retries the request
            }
            run.announced().set(1);
            LOG.info("restore {} accepted: {} to {} from backup {} into new instance {} (asked by {})", id, plan.sourceId(),
                    plan.target(), plan.backupEntry().id(), plan.newInstance(), plan.requestedBy());
            runners.execute(() -> {
                try {
                    process.run(plan, run.tracker());
                } finally {
                    active.remove(id);
                    lastPublished.remove(id);
                }
            });
        }
    }

    /** This replica now answers the requests of {@code partitions}: learn what was answered, fail the abandoned. */
    void assigned(Collection<TopicPartition> partitions) {
        partitions.stream().filter(p -> p.topic().equals(Topics.RESTORE_REQUESTS)).forEach(p -> owned.add(p.partition()));
        sweep();
    }

    void revoked(Collection<TopicPartition> partitions) {
        // Restores running here go on to their end; their progress tells the new owner they are alive.
        partitions.stream().filter(p -> p.topic().equals(Topics.RESTORE_REQUESTS)).forEach(p -> owned.remove(p.partition()));
    }

    /** Restores this replica runs now. */
    Set<RestoreId> running() {
        return Set.copyOf(active.keySet());
    }

    @PreDestroy
    void close() {
        timer.shutdownNow();
        runners.shutdownNow();
    }

    private void sweepQuietly() {
        try {
            if (!owned.isEmpty()) {
                sweep();
            }
        } catch (RuntimeException e) {
            LOG.warn("could not look for abandoned restores: {}", e.getMessage());
        }
    }

    private void sweep() {
        synchronized (decisions) {
            requestPartitions = eventLog.replayInto(ledger, REPLAY_TIMEOUT);
            Instant now = clock.instant();
            for (RestoreLedger.Entry entry : ledger.unfinished()) {
                if (active.containsKey(entry.restoreId()) || !owns(entry.source())
                        || Duration.between(entry.lastEventAt(), now).compareTo(config.abandonAfter()) < 0) {
                    continue;
                }
                abandon(entry);
            }
        }
    }

    private void abandon(RestoreLedger.Entry entry) {
        Optional<InstanceId> made = entry.newInstance().map(InstanceId::of);
        String cleanup;
        if (made.isEmpty()) {
            cleanup = "no instance had been made";
        } else {
            Optional<RegisteredInstance> registered = registry.find(made.get());
            boolean someoneElses = registered.isPresent() && registered.get().restoredFrom()
                    .map(o -> !o.restoreId().equals(entry.restoreId().value())).orElse(true);
            cleanup = someoneElses
                    ? "instance " + made.get() + " is registered by someone else and was left alone"
                    : halfMade.remove(entry.restoreId(), made.get(), false, true, true);
        }
        LOG.warn("restore {} of {} was accepted but nobody runs it any more: failing it ({})", entry.restoreId(), entry.source(), cleanup);
        events.failed(entry.restoreId(), entry.source(), "the restore service stopped before this restore finished "
                + "(restart or hand-over to another replica); " + cleanup + " — ask again", entry.newInstance());
    }

    private boolean owns(String source) {
        int partitions = requestPartitions;
        if (partitions < 1) {
            return false;
        }
        // The producer's default partitioner: the same key always lands on the same request partition.
        return owned.contains(KeyPartitioner.partitionOf(source, partitions));
    }

    private void heartbeat() {
        Instant now = clock.instant();
        Duration pace = config.abandonAfter().dividedBy(3);
        for (Active run : active.values()) {
            if (run.announced().get() == 0) {
                continue;
            }
            try {
                RestoreProgress snapshot = run.tracker().snapshot(now);
                RestoreProgress last = lastPublished.get(run.tracker().restoreId());
                if (last == null || changed(last, snapshot) || Duration.between(last.getOccurredAt(), now).compareTo(pace) >= 0) {
                    events.progress(run.tracker());
                    lastPublished.put(run.tracker().restoreId(), snapshot);
                }
            } catch (RuntimeException e) {
                LOG.warn("restore {}: progress not published: {}", run.tracker().restoreId(), e.getMessage());
            }
        }
    }

    private static boolean changed(RestoreProgress a, RestoreProgress b) {
        return a.getPhase() != b.getPhase() || a.getBytesDone() != b.getBytesDone()
                || a.getWalSegmentsReplayed() != b.getWalSegmentsReplayed() || !Objects.equals(a.getMessage(), b.getMessage());
    }

    /** Waits (bounded) for the registry to know the source: it may have been registered a moment ago. */
    private void awaitSource(String source) {
        try {
            if (!registry.awaitCaughtUp(REGISTRY_CATCH_UP)) {
                throw new IllegalStateException("the instance registry has not read " + Topics.INSTANCES + " yet");
            }
            InstanceId id = InstanceId.of(source);
            long deadline = System.nanoTime() + config.registryWait().toNanos();
            while (registry.find(id).isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
        } catch (IllegalArgumentException e) {
            // not an instance id: the validator says so
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the instance registry", e);
        }
    }

    private BucketInventory inventoryOf(RegisteredInstance source) {
        BucketInventoryReader.BucketScan scan = new BucketInventoryReader(BucketLayout.forSegmentSize(source.walSegmentSize()))
                .read(stores.forInstance(source.id()));
        scan.problems().forEach(p -> LOG.warn("bucket of {}: {}", source.id(), p));
        return scan.inventory();
    }

    /** The fleet as the validator sees it: the registry, the provisioner, and restores in progress. */
    private final class FleetView implements RestoreValidator.Fleet {
        @Override
        public Optional<RegisteredInstance> registered(InstanceId id) {
            return registry.find(id);
        }

        @Override
        public Optional<String> holderOf(InstanceId id, String name) {
            if (registry.find(id).isPresent()) {
                return Optional.of("registered instance " + id);
            }
            Optional<RegisteredInstance> named = registry.findByName(name);
            if (named.isPresent()) {
                return Optional.of("registered instance " + named.get().id());
            }
            if (instances.find(id).isPresent()) {
                return Optional.of("an existing server " + id);
            }
            for (Active run : active.values()) {
                if (run.plan().newInstance().equals(id) || run.plan().newName().equals(name)) {
                    return Optional.of("restore " + run.plan().restoreId() + ", still running");
                }
            }
            return ledger.unfinished().stream()
                    .filter(e -> e.newInstance().map(id.value()::equals).orElse(false))
                    .findFirst()
                    .map(e -> "restore " + e.restoreId() + ", still running");
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
