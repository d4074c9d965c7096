package io.tideline.restore;

import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Requires;
import io.tideline.restore.wal.WalServer;
import jakarta.inject.Singleton;

/** Beans of the restore service that are plain classes. */
@Factory
class RestoreFactory {

    @Singleton
    @Bean(preDestroy = "close")
    @Requires(property = RestoreConfiguration.ENABLED, notEquals = "false")
    WalServer walServer(RestoreConfiguration config) {
        // Enough fetch threads for every running restore to prefetch at once.
        int threads = Math.max(2, config.walPrefetch() * config.maxConcurrentRestores());
        return new WalServer(config.walPrefetch(), threads);
    }
}
