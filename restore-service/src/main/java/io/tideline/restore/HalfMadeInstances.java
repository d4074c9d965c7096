package io.tideline.restore;

import io.tideline.core.ids.InstanceId;
import io.tideline.core.ids.RestoreId;
import io.tideline.core.instance.InstanceProvisioner;
import io.tideline.core.kafka.EventPublisher;
import io.tideline.core.kafka.Topics;
import io.tideline.core.registry.RegisteredInstance;
import io.tideline.core.storage.ObjectStores;
import io.tideline.core.storage.StorageProvisioner;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes what a failed or abandoned restore made of its new instance: the registration (only if it says
 * it was made by that restore), the server with its data and secrets, the bucket with its credentials.
 * Every step is idempotent and attempted even if an earlier one failed; the answer says what happened.
 */
@Singleton
final class HalfMadeInstances {

    private static final Logger LOG = LoggerFactory.getLogger(HalfMadeInstances.class);

    private final InstanceProvisioner instances;
    private final StorageProvisioner storage;
    private final ObjectStores stores;
    private final FleetRegistry registry;
    private final EventPublisher publisher;

    HalfMadeInstances(InstanceProvisioner instances, StorageProvisioner storage, ObjectStores stores,
                      FleetRegistry registry, @jakarta.inject.Named(io.tideline.core.kafka.KafkaPrincipals.RESTORE) EventPublisher publisher) {
        this.instances = instances;
        this.storage = storage;
        this.stores = stores;
        this.registry = registry;
        this.publisher = publisher;
    }

    /**
     * @param registered whether this restore registered the instance (the registry may not have read it yet)
     * @param server whether the server may be removed: false when allocating it failed because the id
     *               belonged to someone else
     * @return a sentence for the {@code RestoreFailed} reason
     */
    String remove(RestoreId restoreId, InstanceId instance, boolean registered, boolean server, boolean bucket) {
        return remove(restoreId, instance, registered, server, bucket, (restore, made) -> instances.destroy(made));
    }

    /** How the server of a half-made instance is removed: where it lives is the platform's business. */
    @FunctionalInterface
    interface ServerRemoval {
        void remove(RestoreId restore, InstanceId instance);
    }

    /** As {@link #remove(RestoreId, InstanceId, boolean, boolean, boolean)}, with the server removed by {@code servers}. */
    String remove(RestoreId restoreId, InstanceId instance, boolean registered, boolean server, boolean bucket,
                  ServerRemoval servers) {
        List<String> problems = new ArrayList<>();
        boolean registeredByThis = registry.find(instance).flatMap(RegisteredInstance::restoredFrom)
                .map(o -> o.restoreId().equals(restoreId.value())).orElse(false);
        if (registered || registeredByThis) {
            attempt(problems, "unregister", () -> publisher.tombstoneAndWait(Topics.INSTANCES, instance.value()));
        }
        if (server) {
            attempt(problems, "remove the server of", () -> servers.remove(restoreId, instance));
        }
        if (bucket) {
            attempt(problems, "remove the bucket of", () -> {
                storage.deprovision(instance);
                stores.evict(instance);
            });
        }
        if (problems.isEmpty()) {
            return "the half-made instance " + instance + " was removed";
        }
        return "the half-made instance " + instance + " could not be fully removed (" + String.join("; ", problems) + ")";
    }

    private void attempt(List<String> problems, String what, Runnable step) {
        try {
            step.run();
        } catch (RuntimeException e) {
            LOG.error("could not {} a half-made instance", what, e);
            problems.add("could not " + what + " it: " + e.getMessage());
        }
    }
}
