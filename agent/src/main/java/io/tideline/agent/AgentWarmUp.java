package io.tideline.agent;

import io.micronaut.context.annotation.Requires;
import io.micronaut.context.event.StartupEvent;
import io.micronaut.runtime.event.annotation.EventListener;
import io.tideline.restore.RestoreWarmUp;
import jakarta.inject.Singleton;

/**
 * Warms the unpack code up when the agent starts, so the first restore on this host is as fast as later ones
 * ({@link RestoreWarmUp}; the agent's S3 clients are made per restore, from the grant the coordinator sends).
 */
@Singleton
@Requires(property = AgentConfiguration.ID)
final class AgentWarmUp {

    private final RestoreWarmUp.Settings settings;

    AgentWarmUp(RestoreWarmUp.Settings settings) {
        this.settings = settings;
    }

    @EventListener
    void onStartup(StartupEvent event) {
        RestoreWarmUp.inBackground(settings, () -> { });
    }
}
