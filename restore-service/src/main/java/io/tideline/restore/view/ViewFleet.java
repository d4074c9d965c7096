package io.tideline.restore.view;

import io.tideline.core.ids.InstanceId;
import io.tideline.core.instance.InstanceProvisioner;
import io.tideline.core.registry.InstanceRegistry;
import io.tideline.core.registry.RegisteredInstance;
import io.tideline.restore.RestoreValidator;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The fleet as the HTTP API sees it when it checks a request before publishing it: the registry, the
 * provisioner's servers, and the restores the event log shows requested (recently) or accepted and unfinished (the restore
 * service's own {@code FleetView} asks its ledger and runner the same questions; the view runs with or
 * without the restore worker in its process).
 */
final class ViewFleet implements RestoreValidator.Fleet {

    /**
     * How long a request not answered yet holds the name it asks for: two requests for one name moments apart are
     * refused here rather than one of them becoming a RestoreRejected; a request never answered (no restore service
     * running) stops holding it after this.
     */
    static final Duration UNANSWERED_HOLD = Duration.ofMinutes(10);

    private final InstanceRegistry registry;
    private final Optional<InstanceProvisioner> servers;
    private final ViewEvents events;
    private final Clock clock;

    ViewFleet(InstanceRegistry registry, Optional<InstanceProvisioner> servers, ViewEvents events, Clock clock) {
        this.registry = registry;
        this.servers = servers;
        this.events = events;
        this.clock = clock;
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
        Instant now = clock.instant();
        return events.unfinished().stream()
                .filter(r -> !RestoreStatus.REQUESTED.equals(r.state()) || Instant.parse(r.updatedAt()).isAfter(now.minus(UNANSWERED_HOLD)))
                .filter(r -> id.value().equals(r.newInstanceId()) || name.equals(r.newName()))
                .findFirst()
                .map(r -> "restore " + r.restoreId() + (RestoreStatus.REQUESTED.equals(r.state())
                        ? ", requested at " + r.updatedAt() + " and not answered yet" : ", still running"));
    }
}
