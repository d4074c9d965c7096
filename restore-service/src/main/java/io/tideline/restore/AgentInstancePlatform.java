package io.tideline.restore;

import io.micronaut.context.annotation.Requires;
import io.tideline.core.basebackup.BackupManifest;
import io.tideline.core.ids.InstanceId;
import io.tideline.core.ids.RestoreId;
import io.tideline.core.instance.InstanceCredentials;
import io.tideline.core.instance.ProvisionedInstance;
import io.tideline.core.storage.BucketGrant;
import io.tideline.core.storage.ObjectStores;
import io.tideline.core.storage.ReadOnlyGrant;
import io.tideline.core.storage.StorageProvisioner;
import io.tideline.core.wal.WalSegmentName;
import io.tideline.restore.PromotedInstanceCheck.Verified;
import io.tideline.restore.RecoverySteps.Made;
import io.tideline.restore.RecoverySteps.Progress;
import io.tideline.restore.RecoverySteps.Recovered;
import io.tideline.restore.host.HostInstance;
import io.tideline.restore.host.HostRestoreRequest;
import io.tideline.restore.host.HostRestoreStatus;
import io.tideline.schemas.RestorePhase;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code agent} platform: the new instance is made on a database host by its restore agent. The coordinator
 * (this service) makes the new bucket, copies the source's passwords under the new instance's references, mints a
 * read-only identity on the source bucket for this restore, picks an agent with free capacity and hands it the
 * restore by reference; then it follows the agent's progress (republished as {@code RestoreProgress}), times out an
 * agent that stops answering, takes the recovered instance over, and revokes the read-only identity at the end.
 */
@Singleton
@Requires(property = InstancePlatformConfiguration.TYPE, value = "agent")
final class AgentInstancePlatform implements InstancePlatform {

    private static final Logger LOG = LoggerFactory.getLogger(AgentInstancePlatform.class);
    /** How long a placement waits for the agents topic to be read to its end. */
    private static final Duration DIRECTORY_WAIT = Duration.ofSeconds(5);

    private final InstancePlatformConfiguration platform;
    private final RestoreConfiguration config;
    private final AgentDirectory directory;
    private final AgentClient client;
    private final StorageProvisioner storage;
    private final ObjectStores stores;
    private final RecoverySteps steps;
    private final Clock clock;
    /** Which agent runs which restore of this replica (for the hand-over and the removal). */
    private final Map<RestoreId, String> placed = new ConcurrentHashMap<>();

    AgentInstancePlatform(InstancePlatformConfiguration platform, RestoreConfiguration config, AgentDirectory directory,
                          AgentClient client, StorageProvisioner storage, ObjectStores stores, RecoverySteps steps, Clock clock) {
        this.platform = platform;
        this.config = config;
        this.directory = directory;
        this.client = client;
        this.storage = storage;
        this.stores = stores;
        this.steps = steps;
        this.clock = clock;
    }

    @Override
    public Optional<String> refusal(RestorePlan plan) {
        return candidates().isEmpty() ? Optional.of(noCapacity()) : Optional.empty();
    }

    /** Fresh agents with room, the one with most room first. */
    private List<AgentDirectory.Agent> candidates() {
        Instant now = clock.instant();
        return directory.all(DIRECTORY_WAIT).stream()
                .filter(a -> a.freshAt(now, platform.agentTimeout()) && a.said().getFree() > 0)
                .sorted(Comparator.comparingInt((AgentDirectory.Agent a) -> a.said().getFree()).reversed())
                .toList();
    }

    private String noCapacity() {
        Instant now = clock.instant();
        List<AgentDirectory.Agent> all = directory.all(Duration.ZERO);
        return "no database host has capacity: " + (all.isEmpty()
                ? "no restore agent has announced itself on tideline.agents"
                : String.join("; ", all.stream().map(a -> a.describe(now, platform.agentTimeout())).toList()))
                + "; nothing was provisioned — ask again when a host has room";
    }

    @Override
    public Recovered recover(RestorePlan plan, RestoreTracker tracker, Made made, Progress progress) {
        try {
            BucketGrant grant = provisionBucket(plan, tracker, made, progress);
            InstanceCredentials credentials = RecoverySteps.credentialsOf(plan);
            ReadOnlyGrant read = storage.grantReadOnly(plan.sourceId(), plan.restoreId(),
                    clock.instant().plus(platform.readGrantTtl()));
            HostRestoreRequest request = HostRestoreRequest.of(
                    RecoverySteps.hostPlan(plan, credentials, config.promotionTimeout()), plan.sourceId(), read);
            steps.copySourcePasswords(plan.source(), credentials);
            made.server = true; // from the request on, the agent may have made the server
            AgentDirectory.Agent agent = place(plan, request);
            HostRestoreStatus recovered = follow(plan, agent, tracker, progress);
            return new Recovered(grant, readManifest(plan), new Verified(recovered.timeline(),
                    Optional.ofNullable(recovered.lastCommit()).map(Instant::parse)),
                    new HostRecovery.WalFetched(Optional.ofNullable(recovered.walThrough())
                            .map(n -> WalSegmentName.parse(n, plan.layout().walSegmentSize())),
                            recovered.walServed(), recovered.walFromSpool()));
        } finally {
            // The agent is done reading the source (or gone): its identity on the bucket ends now.
            storage.revokeReadOnly(plan.restoreId());
        }
    }

    private BucketGrant provisionBucket(RestorePlan plan, RestoreTracker tracker, Made made, Progress progress) {
        tracker.enter(RestorePhase.PROVISIONING, null, "provisioning instance " + plan.newInstance() + " and its bucket");
        progress.report(tracker);
        made.bucket = true;
        return storage.provision(plan.newInstance());
    }

    /**
     * The first agent with room that takes it; none: the restore fails saying so. The request is idempotent per
     * restore id, so an agent that does not answer in time is asked again until the agent timeout: it may have
     * started the restore already, and only a clear refusal (409) moves on to the next agent.
     */
    private AgentDirectory.Agent place(RestorePlan plan, HostRestoreRequest request) {
        List<String> refusals = new ArrayList<>();
        for (AgentDirectory.Agent agent : candidates()) {
            Instant firstTry = clock.instant();
            while (true) {
                try {
                    AgentClient.Start answer = client.start(agent.said().getAddress(), request);
                    if (answer instanceof AgentClient.Start.Started) {
                        placed.put(plan.restoreId(), agent.id());
                        LOG.info("restore {}: placed on agent {} (host {}, {})", plan.restoreId(), agent.id(),
                                agent.said().getHost(), agent.said().getAddress());
                        return agent;
                    }
                    refusals.add(((AgentClient.Start.Refused) answer).reason());
                    break;
                } catch (AgentClient.Unreachable e) {
                    if (Duration.between(firstTry, clock.instant()).compareTo(platform.agentTimeout()) >= 0) {
                        // It may have started it before going silent: it removes it itself (lease, or at start).
                        placed.put(plan.restoreId(), agent.id());
                        throw new RestoreFailure("agent " + agent.id() + " stopped answering (host " + agent.said().getHost()
                                + ", no answer for " + platform.agentTimeout().toSeconds() + " s)");
                    }
                    LOG.warn("restore {}: agent {} did not answer yet: {}", plan.restoreId(), agent.id(), e.getMessage());
                }
            }
        }
        throw new RestoreFailure(refusals.isEmpty() ? noCapacity()
                : "no database host has capacity: " + String.join("; ", refusals));
    }

    /** Follows the agent's progress until the instance is recovered; an agent silent for the timeout is gone. */
    private HostRestoreStatus follow(RestorePlan plan, AgentDirectory.Agent agent, RestoreTracker tracker, Progress progress) {
        String id = plan.restoreId().value();
        Instant lastAnswer = clock.instant();
        while (true) {
            tracker.failIfCancelled();
            try {
                Optional<HostRestoreStatus> status = client.status(agent.said().getAddress(), id);
                lastAnswer = clock.instant();
                if (status.isEmpty()) {
                    throw new RestoreFailure("agent " + agent.id() + " no longer knows restore " + id + " (it was restarted)");
                }
                HostRestoreStatus s = status.get();
                mirror(s, tracker, progress);
                if (HostRestoreStatus.RECOVERED.equals(s.state())) {
                    return s;
                }
                if (HostRestoreStatus.FAILED.equals(s.state())) {
                    throw new RestoreFailure("on agent " + agent.id() + " (host " + agent.said().getHost() + "): " + s.failure());
                }
            } catch (AgentClient.Unreachable e) {
                Duration silent = Duration.between(lastAnswer, clock.instant());
                LOG.warn("restore {}: agent {} did not answer for {}: {}", id, agent.id(), silent, e.getMessage());
                if (silent.compareTo(platform.agentTimeout()) >= 0) {
                    throw new RestoreFailure("agent " + agent.id() + " stopped answering (host " + agent.said().getHost()
                            + ", no answer for " + platform.agentTimeout().toSeconds() + " s)");
                }
            }
            sleep(config.progressInterval());
        }
    }

    /** The agent's progress as this restore's: a phase change is published at once, counts at the steady pace. */
    private static void mirror(HostRestoreStatus s, RestoreTracker tracker, Progress progress) {
        RestorePhase phase = RestorePhase.valueOf(s.phase());
        if (phase != tracker.phase()) {
            if (tracker.phase() == RestorePhase.REPLAYING_WAL) {
                progress.report(tracker); // the replay's last count before the next phase resets it (ReplayMeter measures it)
            }
            tracker.enter(phase, s.bytesTotal(), s.message());
            progress.report(tracker);
        }
        tracker.bytes(s.bytesDone());
        tracker.walSegments(s.walSegmentsReplayed());
        if (s.replayedTo() != null) {
            tracker.replayedTo(java.time.Instant.parse(s.replayedTo()));
        }
        if (s.message() != null) {
            tracker.message(s.message());
        }
    }

    @Override
    public ProvisionedInstance handOver(RestorePlan plan) {
        String agentId = placed.get(plan.restoreId());
        AgentDirectory.Agent agent = directory.find(agentId)
                .orElseThrow(() -> new RestoreFailure("agent " + agentId + " is no longer known"));
        try {
            HostInstance server = client.handOver(agent.said().getAddress(), plan.restoreId().value());
            placed.remove(plan.restoreId());
            return new ProvisionedInstance(InstanceId.of(server.instanceId()), server.host(), server.port(), server.database(),
                    RecoverySteps.credentialsOf(plan), Path.of(server.dataDir()), server.postgresVersion());
        } catch (AgentClient.Unreachable e) {
            throw new RestoreFailure("agent " + agentId + " stopped answering while handing over " + plan.newInstance(), e);
        }
    }

    /**
     * Asks the agent that ran the restore (or, not known here, every agent heard of) to remove it. An agent that does
     * not answer removes it by itself: when the lease of the restore runs out, or at its next start.
     */
    @Override
    public void removeServer(RestoreId restore, InstanceId instance) {
        String known = placed.remove(restore);
        List<AgentDirectory.Agent> agents = known != null
                ? directory.find(known).map(List::of).orElse(List.of())
                : directory.all(DIRECTORY_WAIT);
        List<String> unreachable = new ArrayList<>();
        for (AgentDirectory.Agent agent : agents) {
            try {
                LOG.info("restore {}: agent {} says: {}", restore, agent.id(), client.remove(agent.said().getAddress(), restore.value()));
            } catch (AgentClient.Unreachable e) {
                unreachable.add(agent.id());
            }
        }
        if (!unreachable.isEmpty()) {
            throw new IllegalStateException("agent(s) " + String.join(", ", unreachable) + " did not answer; each removes "
                    + instance + " itself when the restore's lease ends or when it starts again");
        }
    }

    /** The backup's manifest as the coordinator reads it (its end time is the fallback recovery moment). */
    private BackupManifest readManifest(RestorePlan plan) {
        String key = plan.layout().backupManifest(plan.backupEntry().id());
        try {
            return BackupManifest.parse(stores.forInstance(plan.sourceId()).getVerified(key));
        } catch (RuntimeException e) {
            throw new RestoreFailure("backup manifest " + key + " of " + plan.sourceId() + " is unreadable: " + e.getMessage(), e);
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RestoreFailure("the restore service is shutting down", e);
        }
    }
}
