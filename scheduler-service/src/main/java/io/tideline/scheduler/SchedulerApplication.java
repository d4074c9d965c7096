package io.tideline.scheduler;

import io.micronaut.runtime.Micronaut;
import io.tideline.core.config.StandaloneDefaults;
import java.util.Map;

/**
 * The scheduler service run on its own: the instance registry and the daily backup clock.
 *
 * <p>Service modules ship no {@code application.yml}: the embedded runtime puts every service on one
 * classpath, where only one such file would be read. Defaults live in {@link SchedulerConfiguration};
 * what only the standalone process needs is set here and can be overridden by environment.
 */
public final class SchedulerApplication {

    private SchedulerApplication() {
    }

    public static void main(String[] args) {
        builder(args).start();
    }

    /** Defaults under any configuration a deployment gives ({@link StandaloneDefaults}): a bind address, port or broker set by system property or environment wins. */
    static Micronaut builder(String[] args) {
        Micronaut micronaut = Micronaut.build(args)
                .mainClass(SchedulerApplication.class);
        micronaut.propertySources(StandaloneDefaults.of(Map.of(
                        "micronaut.application.name", "scheduler-service",
                        "micronaut.server.port", env("TIDELINE_SCHEDULER_PORT", "8081"),
                        "kafka.bootstrap.servers", env("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092"),
                        "endpoints.prometheus.sensitive", false,
                        // alone in its JVM, the process principal is the service's own (used when Kafka TLS is on)
                        io.tideline.core.kafka.KafkaSecurityConfiguration.PREFIX + ".principal", io.tideline.core.kafka.KafkaPrincipals.SCHEDULER)));
        return micronaut;
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
