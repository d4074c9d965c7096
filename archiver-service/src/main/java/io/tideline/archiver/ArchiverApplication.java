package io.tideline.archiver;

import io.micronaut.runtime.Micronaut;

/**
 * The archiver as a stand-alone process: WAL streaming and base backups for the instances its
 * consumer group assigns to it. Configuration comes from system properties / environment
 * ({@code kafka.bootstrap.servers}, {@code tideline.storage.endpoint}, {@code tideline.fleet.secrets-dir}
 * or {@code tideline.fleet.home}, {@code tideline.archiver.*}); the service carries no
 * {@code application.yml} of its own because the embedded runtime runs every service in one context.
 */
public final class ArchiverApplication {

    private ArchiverApplication() {
    }

    public static void main(String[] args) {
        Micronaut.build(args)
                .mainClass(ArchiverApplication.class)
                .deduceEnvironment(false)
                .banner(false)
                // Scraped and probed without credentials (docs/monitoring.md).
                .properties(java.util.Map.of("endpoints.prometheus.sensitive", false, "endpoints.health.sensitive", false,
                        // alone in its JVM, the process principal is the service's own (used when Kafka TLS is on)
                        io.tideline.core.kafka.KafkaSecurityConfiguration.PREFIX + ".principal", io.tideline.core.kafka.KafkaPrincipals.ARCHIVER))
                .start();
    }
}
