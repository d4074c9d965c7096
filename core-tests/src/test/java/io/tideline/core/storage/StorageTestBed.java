package io.tideline.core.storage;

import io.tideline.core.ids.InstanceId;
import io.tideline.platform.local.secrets.DirectorySecretStore;
import io.tideline.platform.local.storage.EmbeddedStorageProvisioner;
import io.tideline.testkit.S3Server;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * What the storage ITs share: settings pointing at the real S3 server, a secret store, the embedded
 * provisioner with the server's admin identity, and cleanup of every instance it provisioned.
 */
final class StorageTestBed implements AutoCloseable {

    final S3Server server;
    final DirectorySecretStore secrets;
    final ObjectStoreSettings settings;
    final EmbeddedStorageProvisioner provisioner;
    private final SecureRandom random = new SecureRandom();
    private final List<InstanceId> provisioned = new ArrayList<>();

    StorageTestBed(S3Server server, Path secretsDir, ObjectStoreSettings settings) {
        this.server = server;
        this.secrets = new DirectorySecretStore(secretsDir);
        this.settings = settings;
        this.provisioner = new EmbeddedStorageProvisioner(server.adminClient(), server.identitiesDir(), secrets,
                settings, Clock.systemUTC(), random);
    }

    static ObjectStoreSettings settingsFor(S3Server server) {
        return ObjectStoreSettings.defaults(server.endpoint()).withRegion(server.region());
    }

    /** A fresh instance id (unique per run, so the shared server never sees a bucket twice) with its storage provisioned. */
    InstanceId provisionNew(String prefix) {
        byte[] suffix = new byte[4];
        random.nextBytes(suffix);
        InstanceId instance = InstanceId.of(prefix + "-" + HexFormat.of().formatHex(suffix));
        provisioner.provision(instance);
        provisioned.add(instance);
        return instance;
    }

    String accessKey(InstanceId instance) {
        return secrets.get(StorageSecrets.accessKey(instance));
    }

    String secretKey(InstanceId instance) {
        return secrets.get(StorageSecrets.secretKey(instance));
    }

    @Override
    public void close() {
        provisioned.forEach(provisioner::deprovision);
    }
}
