package io.tideline.restore;

import io.micronaut.runtime.Micronaut;
import io.swagger.v3.oas.annotations.OpenAPIDefinition;
import io.swagger.v3.oas.annotations.info.Info;
import io.tideline.core.config.StandaloneDefaults;
import java.util.Map;

/**
 * The restore service as a stand-alone process: answers restore requests and serves WAL to the servers
 * it recovers. Configuration from system properties / environment ({@code kafka.bootstrap.servers},
 * {@code tideline.storage.*}, {@code tideline.fleet.*}, {@code tideline.restore.*}); no
 * {@code application.yml} of its own, since the embedded runtime runs every service in one context.
 * The HTTP server must be reachable from the recovering servers: by default it binds this machine's
 * loopback; {@code micronaut.server.host} (system property or {@code MICRONAUT_SERVER_HOST}) binds it to a
 * host's own address, as the fleet harness does. The defaults here are {@link StandaloneDefaults}: any
 * configuration a deployment gives wins over them.
 */
@OpenAPIDefinition(info = @Info(title = "Tideline restore service", version = "1",
        description = "The Backups view's API (instances, backups and the restorable window, restore requests and their "
                + "status, the undo finder) and the WAL endpoint recovering servers fetch from. Every error is "
                + "application/problem+json (RFC 9457)."))
public final class RestoreApplication {

    private RestoreApplication() {
    }

    public static void main(String[] args) {
        builder(args).start();
    }

    static Micronaut builder(String[] args) {
        // the builder's methods mutate it; some return the plain ApplicationContextBuilder, hence statements
        Micronaut micronaut = Micronaut.build(args).mainClass(RestoreApplication.class);
        micronaut.deduceEnvironment(false);
        micronaut.banner(false);
        micronaut.propertySources(StandaloneDefaults.of(Map.of("micronaut.server.host", "127.0.0.1",
                        // Scraped and probed without credentials (docs/monitoring.md).
                        "endpoints.prometheus.sensitive", false, "endpoints.health.sensitive", false,
                        // alone in its JVM, the process principal is the service's own (used when Kafka TLS is on)
                        io.tideline.core.kafka.KafkaSecurityConfiguration.PREFIX + ".principal", io.tideline.core.kafka.KafkaPrincipals.RESTORE)));
        return micronaut;
    }
}
