package io.tideline.archiver.wal;

import io.micronaut.context.annotation.Requires;
import io.micronaut.health.HealthStatus;
import io.micronaut.management.health.indicator.AbstractHealthIndicator;
import io.tideline.archiver.ArchiverConfig;
import jakarta.inject.Singleton;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code /health} detail {@code wal-streams}: what each owned instance's stream is doing. Always UP:
 * one instance that cannot be streamed (its server is down) must not make the whole archiver look
 * dead to an orchestrator, which would restart it and move every other stream too; per-instance
 * trouble is in the details and in the lag metrics.
 */
@Singleton
@Requires(property = ArchiverConfig.ENABLED, notEquals = "false")
@Requires(property = WalSettings.ENABLED, notEquals = "false")
class WalStreamsHealth extends AbstractHealthIndicator<Map<String, String>> {

    private final WalStreams streams;

    WalStreamsHealth(WalStreams streams) {
        this.streams = streams;
    }

    @Override
    protected Map<String, String> getHealthInformation() {
        healthStatus = HealthStatus.UP;
        Map<String, String> states = new TreeMap<>();
        streams.streaming().forEach(id -> streams.state(id).ifPresent(state -> states.put(id.value(), state)));
        return states;
    }

    @Override
    protected String getName() {
        return "wal-streams";
    }
}
