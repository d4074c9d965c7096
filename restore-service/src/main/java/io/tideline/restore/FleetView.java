package io.tideline.restore;

import io.micronaut.context.annotation.Requires;
import io.tideline.core.ids.InstanceId;
import io.tideline.core.instance.InstanceProvisioner;
import io.tideline.core.kafka.Topics;
import io.tideline.core.registry.RegisteredInstance;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.Optional;

/**
 * The fleet as the validator sees it: the registry, the provisioner's servers, and restores in progress
 * (running here, or accepted anywhere and not finished) — a new instance's id or name is free only if none
 * of them holds it.
 */
@Singleton
@Requires(property = RestoreConfiguration.ENABLED, notEquals = "false")
final class FleetView implements RestoreValidator.Fleet {

    /** How long a request waits for the registry's first full read of the instances topic (then it is retried). */
    private static final Duration REGISTRY_CATCH_UP = Duration.ofSeconds(30);

    private final FleetRegistry registry;
    private final InstanceProvisioner instances;
    private final RestoreRunner runner;
    private final RestoreLedger ledger;
    private final Duration registryWait;

    FleetView(RestoreConfiguration config, FleetRegistry registry, InstanceProvisioner instances, RestoreRunner runner,
              RestoreLedger ledger) {
        this.registry = registry;
        this.instances = instances;
        this.runner = runner;
        this.ledger = ledger;
        this.registryWait = config.registryWait();
    }

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
        for (RunningRestore run : runner.running()) {
            if (run.plan().newInstance().equals(id) || run.plan().newName().equals(name)) {
                return Optional.of("restore " + run.restoreId() + ", still running");
            }
        }
        return ledger.unfinished().stream()
                .filter(e -> e.newInstance().map(id.value()::equals).orElse(false))
                .findFirst()
                .map(e -> "restore " + e.restoreId() + ", still running");
    }

    /** Waits (bounded) for the registry to know the source: it may have been registered a moment ago. */
    void awaitSource(String source) {
        try {
            if (!registry.awaitCaughtUp(REGISTRY_CATCH_UP)) {
                throw new IllegalStateException("the instance registry has not read " + Topics.INSTANCES + " yet");
            }
            InstanceId id = InstanceId.of(source);
            long deadline = System.nanoTime() + registryWait.toNanos();
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
}
