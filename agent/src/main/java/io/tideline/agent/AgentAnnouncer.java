package io.tideline.agent;

import io.micronaut.context.annotation.Requires;
import io.micronaut.runtime.event.annotation.EventListener;
import io.micronaut.runtime.server.event.ServerStartupEvent;
import io.tideline.core.kafka.EventPublisher;
import io.tideline.core.kafka.Topics;
import io.tideline.platform.local.FleetConfiguration;
import io.tideline.schemas.AgentAnnounced;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Says on the compacted {@code tideline.agents} that this agent is there, where, with which PostgreSQL and how many
 * more restores it may take: once its HTTP server listens, then every {@code announce-interval} (the coordinator
 * counts an agent silent for its timeout as gone) and at once when its free capacity changes. A graceful stop
 * removes the announcement (tombstone); a killed agent's goes stale.
 */
@Singleton
@Requires(property = AgentConfiguration.ID)
final class AgentAnnouncer {

    private static final Logger LOG = LoggerFactory.getLogger(AgentAnnouncer.class);

    private final AgentConfiguration config;
    private final AgentRestores restores;
    private final AgentAddress address;
    private final EventPublisher publisher;
    private final Clock clock;
    private final String postgresVersion;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "agent-announcer");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean started;

    AgentAnnouncer(AgentConfiguration config, AgentRestores restores, AgentAddress address, EventPublisher publisher,
                   FleetConfiguration fleet, Clock clock) {
        this.config = config;
        this.restores = restores;
        this.address = address;
        this.publisher = publisher;
        this.clock = clock;
        this.postgresVersion = PostgresVersion.of(fleet.postgresBinDir());
        restores.onChange(this::announceSoon);
    }

    @EventListener
    void onStartup(ServerStartupEvent event) {
        started = true;
        timer.scheduleWithFixedDelay(this::announce, 0, config.announceInterval().toMillis(), TimeUnit.MILLISECONDS);
        LOG.info("agent {} on host {} at {} (PostgreSQL {}), {} restore place(s)", config.id(), config.effectiveHost(),
                address.base(), postgresVersion, config.capacity());
    }

    private void announceSoon() {
        if (started) {
            timer.execute(this::announce);
        }
    }

    private void announce() {
        try {
            publisher.publishAndWait(Topics.AGENTS, config.id(), AgentAnnounced.newBuilder()
                    .setEventId(UUID.randomUUID())
                    .setAgentId(config.id())
                    .setOccurredAt(clock.instant())
                    .setHost(config.effectiveHost())
                    .setAddress(address.base())
                    .setPostgresVersion(postgresVersion)
                    .setCapacity(config.capacity())
                    .setFree(restores.free())
                    .build());
        } catch (RuntimeException e) {
            // The next tick tries again; the coordinator sees an agent silent meanwhile, which is the truth.
            LOG.warn("agent {} could not announce itself: {}", config.id(), e.getMessage());
        }
    }

    @PreDestroy
    void stop() {
        timer.shutdownNow();
        if (started) {
            try {
                publisher.tombstoneAndWait(Topics.AGENTS, config.id());
            } catch (RuntimeException e) {
                LOG.warn("agent {} could not withdraw its announcement: {}", config.id(), e.getMessage());
            }
        }
    }
}
