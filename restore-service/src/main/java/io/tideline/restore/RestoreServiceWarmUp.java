package io.tideline.restore;

import io.micronaut.context.BeanProvider;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.event.StartupEvent;
import io.micronaut.runtime.event.annotation.EventListener;
import io.micronaut.runtime.server.event.ServerStartupEvent;
import io.tideline.core.instance.InstanceProvisioner;
import io.tideline.core.storage.ObjectStores;
import io.tideline.core.storage.StorageProvisioner;
import jakarta.inject.Singleton;

/**
 * Warms the restore code up when the service starts (issue 18: the first restore after start-up was up to
 * 1.2-1.5× slower than later ones): the S3 client's code and the shared connection pool, then a small
 * synthetic unpack ({@link RestoreWarmUp}), the instance provisioner's allocation code
 * ({@link InstanceProvisioner#warmUp}) and the bucket provisioner's ({@link StorageProvisioner#warmUp}); once the
 * HTTP server runs, one request to the WAL endpoint as a recovering server makes it ({@link WalEndpoint#warmUp}). In the background: start-up does not wait for it.
 */
@Singleton
@Requires(property = RestoreConfiguration.ENABLED, notEquals = "false")
final class RestoreServiceWarmUp {

    private final RestoreWarmUp.Settings settings;
    private final BeanProvider<ObjectStores> stores;
    private final BeanProvider<WalEndpoint> walEndpoint;
    private final BeanProvider<InstanceProvisioner> instances;
    private final BeanProvider<StorageProvisioner> storage;

    /** The stores are optional: a context without storage (a unit test's) warms the unpack code only. */
    RestoreServiceWarmUp(RestoreWarmUp.Settings settings, BeanProvider<ObjectStores> stores, BeanProvider<WalEndpoint> walEndpoint,
                         BeanProvider<InstanceProvisioner> instances, BeanProvider<StorageProvisioner> storage) {
        this.settings = settings;
        this.stores = stores;
        this.walEndpoint = walEndpoint;
        this.instances = instances;
        this.storage = storage;
    }

    @EventListener
    void onStartup(StartupEvent event) {
        RestoreWarmUp.inBackground(settings, () -> {
            stores.ifPresent(ObjectStores::warmUp);
            instances.ifPresent(InstanceProvisioner::warmUp);
            storage.ifPresent(StorageProvisioner::warmUp);
        });
    }

    /** The WAL endpoint answers only once the HTTP server runs, after the context's start. */
    @EventListener
    void onServerStartup(ServerStartupEvent event) {
        if (!settings.enabled()) {
            return;
        }
        Thread thread = new Thread(() -> walEndpoint.ifPresent(WalEndpoint::warmUp), "wal-endpoint-warm-up");
        thread.setDaemon(true);
        thread.setPriority(Thread.MIN_PRIORITY);
        thread.start();
    }
}
