package io.tideline.restore;

import static io.tideline.core.config.Defaults.duration;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import io.tideline.core.config.Require;
import java.time.Duration;
import java.util.Objects;

/**
 * {@code tideline.restore.platform.*}: where user restores make their new instances ({@link InstancePlatform}).
 *
 * @param type         {@code local} (this machine, in process; the default) or {@code agent} (restore agents on
 *                     database hosts)
 * @param agentTimeout an agent that has not answered (nor announced itself) for this long is gone: its running
 *                     restores fail with "agent X stopped answering", and it gets no new ones
 * @param readGrantTtl how long a restore's read-only identity on its source bucket lives at most (revoked at the
 *                     restore's end; this bounds a revocation that never came)
 * @param agentClientIdentity the TLS identity of the secret store ({@code tls/<name>/}) the coordinator presents to
 *                     agents over HTTPS (they let only their {@code tideline.agent.allowed-clients} in); its common
 *                     name is the principal. Default {@code restore}: the restore service's own, as on Kafka
 */
@ConfigurationProperties(InstancePlatformConfiguration.PREFIX)
public record InstancePlatformConfiguration(@Bindable(defaultValue = DEFAULT_TYPE) Type type,
                                            @Bindable(defaultValue = DEFAULT_AGENT_TIMEOUT) Duration agentTimeout,
                                            @Bindable(defaultValue = DEFAULT_READ_GRANT_TTL) Duration readGrantTtl,
                                            @Bindable(defaultValue = DEFAULT_AGENT_CLIENT_IDENTITY) String agentClientIdentity) {

    public static final String PREFIX = RestoreConfiguration.PREFIX + ".platform";
    public static final String TYPE = PREFIX + ".type";

    static final String DEFAULT_TYPE = "local";
    static final String DEFAULT_AGENT_TIMEOUT = "15s";
    static final String DEFAULT_READ_GRANT_TTL = "3h";
    static final String DEFAULT_AGENT_CLIENT_IDENTITY = io.tideline.core.kafka.KafkaPrincipals.RESTORE;

    /** The implementations. */
    public enum Type { LOCAL, AGENT }

    public InstancePlatformConfiguration {
        Objects.requireNonNull(type, TYPE);
        Require.positive(agentTimeout, PREFIX + ".agent-timeout");
        Require.positive(readGrantTtl, PREFIX + ".read-grant-ttl");
        Require.that(agentClientIdentity != null && !agentClientIdentity.isBlank(), PREFIX + ".agent-client-identity",
                "the name of a TLS identity", agentClientIdentity);
    }

    public static InstancePlatformConfiguration defaults() {
        return new InstancePlatformConfiguration(Type.LOCAL, duration(DEFAULT_AGENT_TIMEOUT), duration(DEFAULT_READ_GRANT_TTL),
                DEFAULT_AGENT_CLIENT_IDENTITY);
    }
}
