package io.tideline.retention;

import io.micronaut.runtime.Micronaut;
import io.tideline.core.config.StandaloneDefaults;
import java.util.Map;

/**
 * The retention service run on its own. Service modules ship no {@code application.yml} (the embedded
 * runtime puts every service on one classpath, where only one would be read): defaults live in
 * {@link RetentionConfiguration}; what only the standalone process needs is set here.
 */
public final class RetentionApplication {

    private RetentionApplication() {
    }

    public static void main(String[] args) {
        builder(args).start();
    }

    /** Defaults under any configuration a deployment gives ({@link StandaloneDefaults}): a bind address, port or broker set by system property or environment wins. */
    static Micronaut builder(String[] args) {
        Micronaut micronaut = Micronaut.build(args)
                .mainClass(RetentionApplication.class);
        micronaut.propertySources(StandaloneDefaults.of(Map.of(
                        "micronaut.application.name", "retention-service",
                        "micronaut.server.port", env("TIDELINE_RETENTION_PORT", "8083"),
                        "kafka.bootstrap.servers", env("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092"),
                        "endpoints.prometheus.sensitive", false,
                        // alone in its JVM, the process principal is the service's own (used when Kafka TLS is on)
                        io.tideline.core.kafka.KafkaSecurityConfiguration.PREFIX + ".principal", io.tideline.core.kafka.KafkaPrincipals.RETENTION)));
        return micronaut;
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
