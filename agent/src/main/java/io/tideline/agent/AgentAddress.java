package io.tideline.agent;

import io.micronaut.context.ApplicationContext;
import io.micronaut.context.annotation.Requires;
import io.micronaut.runtime.server.EmbeddedServer;
import jakarta.inject.Singleton;

/** Where the agent is reached: by the coordinator ({@link #base}) and by this host's recovering servers ({@link #walBase}). */
@Singleton
@Requires(property = AgentConfiguration.ID)
final class AgentAddress {

    private final AgentConfiguration config;
    private final ApplicationContext context;

    AgentAddress(AgentConfiguration config, ApplicationContext context) {
        this.config = config;
        this.context = context;
    }

    /** {@code tideline.agent.address}, else the HTTP server's own scheme (https with TLS), host and port. */
    String base() {
        return config.address().orElseGet(() -> {
            // (bound by the time anyone asks: the announcer starts on ServerStartupEvent, requests come after it)
            EmbeddedServer server = context.findBean(EmbeddedServer.class)
                    .orElseThrow(() -> new IllegalStateException("the agent has no HTTP server"));
            return server.getScheme() + "://" + server.getHost() + ":" + server.getPort();
        });
    }

    String walBase() {
        return config.walBaseUrl().orElseGet(this::base);
    }
}
