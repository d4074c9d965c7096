package io.tideline.agent;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.context.annotation.Requires;
import io.micronaut.core.bind.annotation.Bindable;
import io.tideline.core.config.Require;
import java.net.InetAddress;
import java.net.UnknownHostException;
import io.tideline.core.kafka.KafkaPrincipals;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code tideline.agent.*} (environment: {@code TIDELINE_AGENT_ID}, ...). Where the agent keeps its state (its
 * servers, its journal of restores) is {@code tideline.fleet.home}; where it binds is {@code micronaut.server.host}
 * and {@code .port}; Kafka and S3 are {@code kafka.bootstrap.servers} and {@code tideline.storage.endpoint}: one
 * key each, nothing assumes a loopback address.
 *
 * @param id               the agent's id, unique in the fleet (the key of its announcements)
 * @param host             the database host's name; empty: this machine's name
 * @param address          the base URL the coordinator reaches this agent at; empty: {@code http://<bound host>:<port>}
 * @param capacity         restores this host runs at once (each is a new server in the making)
 * @param announceInterval how often the agent says it is there (and its free capacity)
 * @param lease            a restore the coordinator has not asked about for this long is abandoned (the
 *                         coordinator was killed): the agent stops it and removes its half-made instance
 * @param downloadParallelism backup parts downloaded at once
 * @param walPrefetch      WAL segments fetched ahead into a recovering server's spool
 * @param progressInterval how often a recovering server's progress is read
 * @param curl             the command this host's recovering servers fetch WAL with
 * @param walBaseUrl       where this host's recovering servers reach the agent's WAL endpoint; empty: {@code address}
 * @param allowedClients   the principals (common names of client certificates of the Tideline CA) that may call the
 *                         agent's API over HTTPS: the coordinator's, the restore service's {@code restore}; any
 *                         other gets 403
 */
@ConfigurationProperties(AgentConfiguration.PREFIX)
@Requires(property = AgentConfiguration.ID) // only an agent process has (and checks) these settings
public record AgentConfiguration(String id,
                                 Optional<String> host,
                                 Optional<String> address,
                                 @Bindable(defaultValue = "2") int capacity,
                                 @Bindable(defaultValue = "2s") Duration announceInterval,
                                 @Bindable(defaultValue = "30s") Duration lease,
                                 @Bindable(defaultValue = "4") int downloadParallelism,
                                 @Bindable(defaultValue = "8") int walPrefetch,
                                 @Bindable(defaultValue = "1s") Duration progressInterval,
                                 @Bindable(defaultValue = "curl") String curl,
                                 Optional<String> walBaseUrl,
                                 @Bindable(defaultValue = KafkaPrincipals.RESTORE) List<String> allowedClients) {

    public static final String PREFIX = "tideline.agent";
    /** Set: this process is a restore agent (every agent bean requires it). */
    public static final String ID = PREFIX + ".id";

    public AgentConfiguration {
        Require.that(id != null && id.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}"), ID, "1-64 letters, digits, '.', '_' or '-'", id);
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(address, "address");
        address.ifPresent(a -> Require.that(a.matches("https?://[A-Za-z0-9.:\\[\\]-]+"), PREFIX + ".address",
                "a base URL such as http://10.0.0.5:7070", a));
        Require.atLeast(capacity, 0, PREFIX + ".capacity");
        Require.positive(announceInterval, PREFIX + ".announce-interval");
        Require.positive(lease, PREFIX + ".lease");
        Require.atLeast(downloadParallelism, 1, PREFIX + ".download-parallelism");
        Require.atLeast(walPrefetch, 0, PREFIX + ".wal-prefetch");
        Require.positive(progressInterval, PREFIX + ".progress-interval");
        Require.that(curl != null && !curl.isBlank() && !curl.contains("'") && !curl.contains("\""), PREFIX + ".curl",
                "a plain command or path", curl);
        Objects.requireNonNull(walBaseUrl, "walBaseUrl");
        allowedClients = allowedClients == null ? List.of() : allowedClients.stream().map(String::strip).filter(c -> !c.isEmpty()).toList();
        Require.that(!allowedClients.isEmpty(), PREFIX + ".allowed-clients", "at least one principal (the coordinator's)", allowedClients);
    }

    /** The host's name: configured, else this machine's. */
    public String effectiveHost() {
        return host.orElseGet(() -> {
            try {
                return InetAddress.getLocalHost().getHostName();
            } catch (UnknownHostException e) {
                return "unknown-host";
            }
        });
    }
}
