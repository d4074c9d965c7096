package io.tideline.cli.instance;

import io.tideline.runtime.ManagedInstances;
import io.tideline.cli.CliException;
import io.tideline.cli.Deployment;
import io.tideline.core.kafka.EventPublisher;
import io.tideline.core.registry.InstanceOnboarding;
import io.tideline.core.storage.ObjectStoreSettings;
import io.tideline.core.storage.S3Clients;
import io.tideline.platform.local.postgres.LocalPostgresConfig;
import io.tideline.platform.local.postgres.LocalPostgresProvisioner;
import io.tideline.platform.local.secrets.DirectorySecretStore;
import io.tideline.platform.local.storage.EmbeddedStorageProvisioner;
import io.tideline.runtime.RuntimeHome;
import io.tideline.runtime.S3AdminKeys;
import java.security.SecureRandom;
import java.time.Clock;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * {@link InstanceOnboarding} for the embedded runtime's home: local PostgreSQL clusters under
 * {@code <home>/instances}, buckets and identities made with the home's S3 admin identity, secrets in
 * {@code <home>/secrets}. The same sequence the services get from core's {@code FleetFactory} over
 * platform-local's {@code LocalPlatformFactory} beans.
 */
public final class LocalOnboarding implements AutoCloseable {

    private final S3Client admin;
    private final InstanceOnboarding onboarding;
    private final DirectorySecretStore secrets;
    private final LocalPostgresProvisioner provisioner;
    private final EmbeddedStorageProvisioner storage;

    private LocalOnboarding(S3Client admin, InstanceOnboarding onboarding, DirectorySecretStore secrets,
                            LocalPostgresProvisioner provisioner, EmbeddedStorageProvisioner storage) {
        this.admin = admin;
        this.onboarding = onboarding;
        this.secrets = secrets;
        this.provisioner = provisioner;
        this.storage = storage;
    }

    /** Buckets and their credentials (what {@code instance remove --purge} removes). */
    public EmbeddedStorageProvisioner storage() {
        return storage;
    }

    /**
     * @throws CliException when the deployment has no local home with an S3 admin identity (instances of
     *                      another deployment are made by its own provisioner, not from here)
     */
    public static LocalOnboarding of(Deployment deployment, EventPublisher publisher, Clock clock) {
        RuntimeHome home = deployment.home();
        DirectorySecretStore secrets = new DirectorySecretStore(home.secretsDir());
        S3AdminKeys keys = S3AdminKeys.find(secrets).orElseThrow(() -> CliException.failure(
                "no embedded runtime was ever started in " + home + ": instances are made with its S3 admin identity "
                        + "(start it with ./tideline up, or give --home)"));
        ObjectStoreSettings settings = deployment.storeSettings();
        S3Client admin = S3Clients.create(settings, keys.accessKey(), keys.secretKey());
        LocalPostgresProvisioner provisioner = new LocalPostgresProvisioner(ManagedInstances.config(home), secrets, clock);
        EmbeddedStorageProvisioner storage = new EmbeddedStorageProvisioner(admin, home.s3IdentitiesDir(), secrets,
                settings, clock, new SecureRandom());
        return new LocalOnboarding(admin, new InstanceOnboarding(provisioner, storage, secrets, publisher, clock),
                secrets, provisioner, storage);
    }

    public InstanceOnboarding onboarding() {
        return onboarding;
    }

    public DirectorySecretStore secrets() {
        return secrets;
    }

    public LocalPostgresProvisioner provisioner() {
        return provisioner;
    }

    @Override
    public void close() {
        admin.close();
    }
}
