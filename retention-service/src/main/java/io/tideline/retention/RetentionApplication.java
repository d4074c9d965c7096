package io.tideline.retention;

import io.micronaut.runtime.Micronaut;
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
        Micronaut.build(args)
                .mainClass(RetentionApplication.class)
                .properties(Map.of(
                        "micronaut.application.name", "retention-service",
                        "micronaut.server.port", env("TIDELINE_RETENTION_PORT", "8083"),
                        "kafka.bootstrap.servers", env("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092"),
                        "endpoints.prometheus.sensitive", false))
                .start();
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
