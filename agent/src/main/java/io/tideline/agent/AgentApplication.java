package io.tideline.agent;

import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.Micronaut;
import io.tideline.core.tls.IdentityCertificateProvider;
import java.util.HashMap;
import java.util.Map;

/**
 * {@code tideline agent}: the restore agent of one database host. Configuration from system properties and the
 * environment ({@code tideline.agent.*}, {@code tideline.fleet.home} for its state, {@code tideline.fleet.secrets-dir},
 * {@code tideline.storage.endpoint}, {@code kafka.bootstrap.servers}, {@code micronaut.server.host/port} for
 * where it listens). It holds no storage key of its own: each restore brings a read-only identity by reference.
 */
public final class AgentApplication {

    private AgentApplication() {
    }

    public static void main(String[] args) {
        run(args, Map.of());
    }

    /** Starts the agent with {@code properties} over the system properties and environment; closes on SIGTERM. */
    public static ApplicationContext run(String[] args, Map<String, Object> properties) {
        Map<String, Object> p = new HashMap<>();
        // The agent's API is for the restore coordinator, not for people: the people-and-roles filter of the restore
        // service (on the classpath when the agent runs from the CLI's or a test's) must not guard it (docs/security.md).
        p.put("micronaut.security.enabled", false);
        // Issue 14.1: over HTTPS, the agent asks its callers for a client certificate of the Tideline CA (the identity
        // provider's trust store is that CA alone); AgentCallers lets only the coordinator's principal at the API.
        // "want", not "need": this host's recovering servers fetch their WAL on the same port with curl, which has
        // no certificate (it presents the restore's WAL token). No effect on plain HTTP.
        p.put("micronaut.server.ssl.client-authentication", "want");
        p.put("micronaut.server.ssl.trust-name", IdentityCertificateProvider.NAME);
        p.putAll(properties);
        return Micronaut.build(args)
                .mainClass(AgentApplication.class)
                .deduceEnvironment(false)
                .banner(false)
                .properties(p)
                .start();
    }
}
