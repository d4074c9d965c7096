package io.tideline.platform.local;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.tideline.platform.local.postgres.LocalPostgresConfig;
import java.nio.file.Path;
import java.util.Optional;

/**
 * {@code tideline.fleet.*}: where the fleet's local pieces are — the embedded runtime's home
 * (instances, secrets), the PostgreSQL binaries, and the object store's admin identity used only to
 * provision buckets. Read only by {@link LocalPlatformFactory}: a production deployment replaces the
 * provisioners instead of setting these.
 */
@ConfigurationProperties(FleetConfiguration.PREFIX)
public class FleetConfiguration {

    public static final String PREFIX = "tideline.fleet";

    private Path home;
    private Path secretsDir;
    private Path postgresBinDir = LocalPostgresConfig.DEFAULT_BIN_DIR;
    private String storageAdminAccessKey;
    private String storageAdminSecretKey;
    private Path storageIdentitiesDir;

    /** Settings of the local provisioner, or empty when no home is configured. */
    public Optional<LocalPostgresConfig> localPostgres() {
        return Optional.ofNullable(home).map(h -> LocalPostgresConfig.defaults(h).withBinDir(postgresBinDir));
    }

    /** The secrets directory: explicit, else {@code <home>/secrets}. */
    public Optional<Path> effectiveSecretsDir() {
        return Optional.ofNullable(secretsDir).or(() -> Optional.ofNullable(home).map(h -> h.resolve("secrets")));
    }

    public Path getHome() {
        return home;
    }

    public void setHome(Path home) {
        this.home = home;
    }

    public Path getSecretsDir() {
        return secretsDir;
    }

    public void setSecretsDir(Path secretsDir) {
        this.secretsDir = secretsDir;
    }

    public Path getPostgresBinDir() {
        return postgresBinDir;
    }

    public void setPostgresBinDir(Path postgresBinDir) {
        this.postgresBinDir = postgresBinDir;
    }

    public String getStorageAdminAccessKey() {
        return storageAdminAccessKey;
    }

    public void setStorageAdminAccessKey(String storageAdminAccessKey) {
        this.storageAdminAccessKey = storageAdminAccessKey;
    }

    public String getStorageAdminSecretKey() {
        return storageAdminSecretKey;
    }

    public void setStorageAdminSecretKey(String storageAdminSecretKey) {
        this.storageAdminSecretKey = storageAdminSecretKey;
    }

    public Path getStorageIdentitiesDir() {
        return storageIdentitiesDir;
    }

    public void setStorageIdentitiesDir(Path storageIdentitiesDir) {
        this.storageIdentitiesDir = storageIdentitiesDir;
    }
}
