package io.tideline.platform.local;

import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.annotation.Secondary;
import io.tideline.core.instance.InstanceProvisioner;
import io.tideline.core.secrets.SecretStore;
import io.tideline.core.storage.ObjectStoreSettings;
import io.tideline.core.storage.S3Clients;
import io.tideline.core.storage.StorageProvisioner;
import io.tideline.platform.local.postgres.LocalPostgresProvisioner;
import io.tideline.platform.local.secrets.DirectorySecretStore;
import io.tideline.platform.local.storage.EmbeddedStorageProvisioner;
import jakarta.inject.Singleton;
import java.security.SecureRandom;
import java.time.Clock;

/**
 * The local machine's implementations of core's seams, each made only when {@code tideline.fleet.*}
 * says where its pieces are. All are {@link Secondary}, so a service or a test that defines its own
 * (a production provisioner) wins without a conflict. Services take this module at runtime scope only:
 * they inject the interfaces, never these classes.
 */
@Factory
public class LocalPlatformFactory {

    @Singleton
    @Secondary
    @Requires(condition = FleetConditions.HasSecretsDir.class)
    SecretStore secretStore(FleetConfiguration configuration) {
        return new DirectorySecretStore(configuration.effectiveSecretsDir().orElseThrow());
    }

    @Singleton
    @Secondary
    @Requires(property = FleetConfiguration.HOME)
    @Requires(beans = SecretStore.class)
    InstanceProvisioner instanceProvisioner(FleetConfiguration configuration, PostgresNetworkConfiguration network,
                                            PostgresTlsConfiguration tls, SecretStore secrets, Clock clock) {
        return new LocalPostgresProvisioner(configuration.localPostgres().orElseThrow().withNetwork(network.network())
                .withTls(tls.enabled()), secrets, clock);
    }

    @Singleton
    @Secondary
    @Requires(property = FleetConfiguration.STORAGE_ADMIN_ACCESS_KEY)
    @Requires(property = FleetConfiguration.STORAGE_IDENTITIES_DIR)
    @Requires(beans = SecretStore.class)
    StorageProvisioner storageProvisioner(FleetConfiguration configuration, ObjectStoreSettings settings,
                                          SecretStore secrets, Clock clock) {
        return new EmbeddedStorageProvisioner(
                S3Clients.create(settings, configuration.storageAdminAccessKey().orElseThrow(),
                        configuration.storageAdminSecretKey().orElseThrow()),
                configuration.storageIdentitiesDir().orElseThrow(), secrets, settings, clock, new SecureRandom());
    }
}
