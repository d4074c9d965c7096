package io.tideline.restore;

import io.micronaut.context.BeanProvider;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.event.StartupEvent;
import io.micronaut.runtime.event.annotation.EventListener;
import io.tideline.core.storage.ObjectStores;
import jakarta.inject.Singleton;

/**
 * Warms the restore code up when the service starts (issue 18: the first restore after start-up was up to
 * 1.2-1.5× slower than later ones): the S3 client's code and the shared connection pool, then a small
 * synthetic unpack ({@link RestoreWarmUp}). In the background: start-up does not wait for it.
 */
@Singleton
@Requires(property = RestoreConfiguration.ENABLED, notEquals = "false")
final class RestoreServiceWarmUp {

    private final RestoreWarmUp.Settings settings;
    private final BeanProvider<ObjectStores> stores;

    /** The stores are optional: a context without storage (a unit test's) warms the unpack code only. */
    RestoreServiceWarmUp(RestoreWarmUp.Settings settings, BeanProvider<ObjectStores> stores) {
        this.settings = settings;
        this.stores = stores;
    }

    @EventListener
    void onStartup(StartupEvent event) {
        RestoreWarmUp.inBackground(settings, () -> stores.ifPresent(ObjectStores::warmUp));
    }
}
