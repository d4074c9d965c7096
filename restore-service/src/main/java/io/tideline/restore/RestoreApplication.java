package io.tideline.restore;

import io.micronaut.runtime.Micronaut;

/**
 * The restore service as a stand-alone process: answers restore requests and serves WAL to the servers
 * it recovers. Configuration from system properties / environment ({@code kafka.bootstrap.servers},
 * {@code tideline.storage.*}, {@code tideline.fleet.*}, {@code tideline.restore.*}); no
 * {@code application.yml} of its own, since the embedded runtime runs every service in one context.
 * The HTTP server must be reachable from the recovering servers (by default on this machine's loopback).
 */
public final class RestoreApplication {

    private RestoreApplication() {
    }

    public static void main(String[] args) {
        Micronaut.build(args)
                .mainClass(RestoreApplication.class)
                .deduceEnvironment(false)
                .banner(false)
                .properties(java.util.Map.of("micronaut.server.host", "127.0.0.1",
                        // Scraped and probed without credentials (docs/monitoring.md).
                        "endpoints.prometheus.sensitive", false, "endpoints.health.sensitive", false))
                .start();
    }
}
