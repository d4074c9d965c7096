package io.tideline.platform.local;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import io.tideline.core.config.Defaults;
import io.tideline.core.config.Require;
import io.tideline.platform.local.postgres.LocalPostgresConfig;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code tideline.fleet.*}: where the fleet's local pieces are — the embedded runtime's home
 * (instances, secrets), the PostgreSQL binaries, and the object store's admin identity used only to
 * provision buckets. Read only by {@link LocalPlatformFactory}: a production deployment replaces the
 * provisioners instead of setting these. Each piece is optional, and a bean that needs one is made only
 * when it is set ({@link LocalPlatformFactory}'s conditions).
 *
 * <p>The admin secret key never appears in {@link #toString()} nor in a failure's message.
 *
 * @param home                  the runtime's home; instances live in {@code <home>/instances/}
 * @param secretsDir            the secret store's directory; unset: {@code <home>/secrets} ({@link #effectiveSecretsDir()})
 * @param postgresBinDir        where {@code initdb}, {@code pg_ctl} and {@code postgres} are
 * @param storageAdminAccessKey the object store's admin identity, which creates buckets and nothing else
 * @param storageAdminSecretKey its secret
 * @param storageIdentitiesDir  where the embedded S3 server reads the identity files the provisioner writes;
 *                              the three storage settings are set together or not at all
 */
@ConfigurationProperties(FleetConfiguration.PREFIX)
public record FleetConfiguration(Optional<Path> home,
                                 Optional<Path> secretsDir,
                                 @Bindable(defaultValue = LocalPostgresConfig.DEFAULT_BIN_DIR) Path postgresBinDir,
                                 Optional<String> storageAdminAccessKey,
                                 Optional<String> storageAdminSecretKey,
                                 Optional<Path> storageIdentitiesDir) {

    public static final String PREFIX = "tideline.fleet";
    // The full names, for the conditions that test whether a piece is configured and for who sets them.
    public static final String HOME = PREFIX + ".home";
    public static final String SECRETS_DIR = PREFIX + ".secrets-dir";
    public static final String POSTGRES_BIN_DIR = PREFIX + ".postgres-bin-dir";
    public static final String STORAGE_ADMIN_ACCESS_KEY = PREFIX + ".storage-admin-access-key";
    public static final String STORAGE_ADMIN_SECRET_KEY = PREFIX + ".storage-admin-secret-key";
    public static final String STORAGE_IDENTITIES_DIR = PREFIX + ".storage-identities-dir";

    public FleetConfiguration {
        Objects.requireNonNull(home, "home");
        Objects.requireNonNull(secretsDir, "secretsDir");
        Require.present(postgresBinDir, POSTGRES_BIN_DIR);
        storageAdminAccessKey = storageAdminAccessKey.filter(k -> !k.isBlank());
        storageAdminSecretKey = storageAdminSecretKey.filter(k -> !k.isBlank());
        Objects.requireNonNull(storageIdentitiesDir, "storageIdentitiesDir");
        // Half an admin identity would leave the storage provisioner silently unmade, or made without a secret.
        // (Require.present names the property only: the secret key is never in the message.)
        if (storageAdminAccessKey.isPresent() || storageAdminSecretKey.isPresent() || storageIdentitiesDir.isPresent()) {
            Require.present(storageAdminAccessKey.orElse(null), STORAGE_ADMIN_ACCESS_KEY);
            Require.present(storageAdminSecretKey.orElse(null), STORAGE_ADMIN_SECRET_KEY);
            Require.present(storageIdentitiesDir.orElse(null), STORAGE_IDENTITIES_DIR);
        }
    }

    /** What an empty configuration binds: nothing local is configured, the binaries are Debian's PostgreSQL 15. */
    public static FleetConfiguration defaults() {
        return new FleetConfiguration(Optional.empty(), Optional.empty(),
                Defaults.read(LocalPostgresConfig.DEFAULT_BIN_DIR, Path.class),
                Optional.empty(), Optional.empty(), Optional.empty());
    }

    /** Settings of the local provisioner, or empty when no home is configured. */
    public Optional<LocalPostgresConfig> localPostgres() {
        return home.map(h -> LocalPostgresConfig.defaults(h).withBinDir(postgresBinDir));
    }

    /** The secrets directory: explicit, else {@code <home>/secrets}. */
    public Optional<Path> effectiveSecretsDir() {
        return secretsDir.or(() -> home.map(h -> h.resolve("secrets")));
    }

    /** The record's text with the admin secret key hidden: settings get logged, a key must not be. */
    @Override
    public String toString() {
        return "FleetConfiguration[home=" + home + ", secretsDir=" + secretsDir + ", postgresBinDir=" + postgresBinDir
                + ", storageAdminAccessKey=" + storageAdminAccessKey
                + ", storageAdminSecretKey=" + storageAdminSecretKey.map(k -> "***")
                + ", storageIdentitiesDir=" + storageIdentitiesDir + "]";
    }
}
