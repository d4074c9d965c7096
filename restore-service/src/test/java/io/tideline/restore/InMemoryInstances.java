package io.tideline.restore;

import io.tideline.core.ids.InstanceId;
import io.tideline.core.instance.AllocatedInstance;
import io.tideline.core.instance.InstanceCredentials;
import io.tideline.core.instance.InstanceProvisioner;
import io.tideline.core.instance.InstanceSpec;
import io.tideline.core.instance.InstanceState;
import io.tideline.core.instance.ProvisionedInstance;
import io.tideline.core.instance.RecoverySettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An {@link InstanceProvisioner} that runs nothing: instances are entries of a map, created or allocated
 * (allocated or running) and destroyed, with the interface's promises that tests of the logic above it notice —
 * allocate and create refuse an id that exists, destroy of an unknown id is a no-op. Recovery promotes at once.
 */
final class InMemoryInstances implements InstanceProvisioner {

    private final Map<InstanceId, ProvisionedInstance> instances = new ConcurrentHashMap<>();
    private final Map<InstanceId, InstanceState> states = new ConcurrentHashMap<>();
    private final List<InstanceId> destroyed = new ArrayList<>();

    /** The ids destroyed, in order. */
    synchronized List<InstanceId> destroyed() {
        return List.copyOf(destroyed);
    }

    @Override
    public ProvisionedInstance create(InstanceId id, InstanceSpec spec) {
        ProvisionedInstance made = add(id, InstanceCredentials.standard(id));
        states.put(id, InstanceState.RUNNING);
        return made;
    }

    @Override
    public ProvisionedInstance start(InstanceId id) {
        states.put(id, InstanceState.RUNNING);
        return get(id);
    }

    @Override
    public void stop(InstanceId id) {
        states.computeIfPresent(id, (k, v) -> InstanceState.STOPPED);
    }

    @Override
    public synchronized void destroy(InstanceId id) {
        if (instances.remove(id) != null) {
            states.remove(id);
            destroyed.add(id);
        }
    }

    @Override
    public Optional<ProvisionedInstance> find(InstanceId id) {
        return Optional.ofNullable(instances.get(id));
    }

    @Override
    public List<ProvisionedInstance> list() {
        return instances.values().stream().sorted((a, b) -> a.id().value().compareTo(b.id().value())).toList();
    }

    @Override
    public Optional<InstanceState> state(InstanceId id) {
        return Optional.ofNullable(states.get(id));
    }

    @Override
    public AllocatedInstance allocate(InstanceId id, InstanceCredentials credentials) {
        ProvisionedInstance made = add(id, credentials);
        states.put(id, InstanceState.ALLOCATED);
        return new AllocatedInstance(id, made.dataDir(), made.port(), Optional.empty());
    }

    @Override
    public ProvisionedInstance startRecovering(InstanceId id, RecoverySettings settings) {
        return start(id);
    }

    @Override
    public ProvisionedInstance awaitPromotion(InstanceId id, Duration timeout) {
        return get(id);
    }

    @Override
    public ProvisionedInstance finishRecovery(InstanceId id) {
        return get(id);
    }

    @Override
    public void rotatePasswords(InstanceId id) {
        get(id);
    }

    private ProvisionedInstance add(InstanceId id, InstanceCredentials credentials) {
        ProvisionedInstance made = new ProvisionedInstance(id, "127.0.0.1", 5432 + instances.size(), "postgres", credentials,
                Path.of("/nonexistent/instances", id.value(), "pgdata"), "15.18");
        if (instances.putIfAbsent(id, made) != null) {
            throw new IllegalStateException("instance " + id + " exists");
        }
        return made;
    }
}
