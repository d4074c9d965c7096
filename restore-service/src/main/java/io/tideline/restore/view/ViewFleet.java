package io.tideline.restore.view;

import io.tideline.core.ids.InstanceId;
import io.tideline.core.instance.InstanceProvisioner;
import io.tideline.core.registry.InstanceRegistry;
import io.tideline.core.registry.RegisteredInstance;
import io.tideline.restore.RestoreValidator;
import java.util.Optional;

/**
 * The fleet as the HTTP API sees it when it checks a request before publishing it: the registry, the
 * provisioner's servers, and the restores the event log shows accepted and unfinished (the restore
 * service's own {@code FleetView} asks its ledger and runner the same questions; the view runs with or
 * without the restore worker in its process).
 */
final class ViewFleet implements RestoreValidator.Fleet {

    private final InstanceRegistry registry;
    private final Optional<InstanceProvisioner> servers;
    private final ViewEvents events;

    ViewFleet(InstanceRegistry registry, Optional<InstanceProvisioner> servers, ViewEvents events) {
        this.registry = registry;
        this.servers = servers;
        this.events = events;
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
        if (servers.flatMap(s -> s.find(id)).isPresent()) {
            return Optional.of("an existing server " + id);
        }
        return events.unfinished().stream()
                .filter(r -> id.value().equals(r.newInstanceId()) || name.equals(r.newName()))
                .findFirst()
                .map(r -> "restore " + r.restoreId() + ", still running");
    }
}
