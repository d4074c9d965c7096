package io.tideline.testkit;

import io.tideline.core.postgres.PostgresTls;
import io.tideline.core.ids.InstanceId;
import io.tideline.core.instance.InstanceSpec;
import io.tideline.core.instance.ProvisionedInstance;
import io.tideline.core.secrets.SecretRef;
import io.tideline.core.secrets.SecretStore;
import io.tideline.platform.local.postgres.LocalPostgresConfig;
import io.tideline.platform.local.postgres.LocalPostgresProvisioner;
import io.tideline.processes.PostgresWatchdog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.postgresql.PGProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Real PostgreSQL 15 clusters for tests, made by the production {@link LocalPostgresProvisioner}
 * in the test home. Every cluster under the home is destroyed when the run ends, also when tests
 * fail, and a {@link PostgresWatchdog} stops any that are left if the JVM dies before that.
 * Get it with {@link PostgresExtension}.
 */
public final class PostgresClusters implements ExtensionContext.Store.CloseableResource, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PostgresClusters.class);

    private final Path home;
    private final SecretStore secrets;
    private final LocalPostgresProvisioner provisioner;
    private final PostgresWatchdog watchdog;
    private final AtomicInteger counter = new AtomicInteger();

    private PostgresClusters(Path home, SecretStore secrets, LocalPostgresProvisioner provisioner, PostgresWatchdog watchdog) {
        this.home = home;
        this.secrets = secrets;
        this.provisioner = provisioner;
        this.watchdog = watchdog;
    }

    /** Clusters under {@code home}; the watchdog starts before any cluster can. */
    public static PostgresClusters start(Path home, SecretStore secrets) {
        LocalPostgresConfig config = LocalPostgresConfig.defaults(home);
        LocalPostgresProvisioner provisioner = new LocalPostgresProvisioner(config, secrets, Clock.systemUTC());
        PostgresWatchdog watchdog = PostgresWatchdog.start(config.instancesDir(), config.binDir().resolve("pg_ctl"),
                provisioner.serverUser(),
                home.resolve("logs").resolve("postgres-watchdog.log"));
        return new PostgresClusters(home, secrets, provisioner, watchdog);
    }

    /** A new running cluster with a unique id starting with {@code namePrefix}. */
    public ProvisionedInstance create(String namePrefix) {
        return provisioner.create(newId(namePrefix));
    }

    public ProvisionedInstance create(String namePrefix, InstanceSpec spec) {
        return provisioner.create(newId(namePrefix), spec);
    }

    /** An id no instance of this home has, e.g. for {@link LocalPostgresProvisioner#allocate}. */
    public InstanceId newId(String namePrefix) {
        String prefix = namePrefix.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
        if (prefix.isEmpty()) {
            prefix = "pg";
        }
        prefix = prefix.length() > 30 ? prefix.substring(0, 30).replaceAll("-+$", "") : prefix;
        while (true) {
            InstanceId id = InstanceId.of(prefix + "-" + counter.incrementAndGet());
            if (provisioner.find(id).isEmpty() && !Files.exists(provisioner.config().instancesDir().resolve(id.value()))) {
                return id;
            }
        }
    }

    /** A superuser connection to the instance's {@code postgres} database. */
    public Connection connect(ProvisionedInstance instance) throws SQLException {
        return connect(instance, instance.adminUser(), instance.adminSecret());
    }

    /**
     * A connection as the instance's tenant (its owner role: no superuser, no file access), to its
     * {@code postgres} database. Tenant data is made this way, so a restore's handed-out role reads it.
     */
    public Connection connectAsOwner(ProvisionedInstance instance) throws SQLException {
        return connect(instance, instance.ownerUser(), instance.ownerSecret());
    }

    private Connection connect(ProvisionedInstance instance, String user, SecretRef password) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", user);
        props.setProperty("password", secrets.get(password));
        props.setProperty("connectTimeout", "10");
        props.setProperty("socketTimeout", "120");
        PostgresTls.forInstance(secrets, instance.id()).applyTo(props);
        return DriverManager.getConnection(instance.jdbcUrl(), props);
    }

    /**
     * A physical replication connection as the instance's replication role, ready for
     * {@code getReplicationAPI()} and for commands such as {@code IDENTIFY_SYSTEM}.
     */
    public Connection connectReplication(ProvisionedInstance instance) throws SQLException {
        Properties props = new Properties();
        PGProperty.USER.set(props, instance.replicationUser());
        PGProperty.PASSWORD.set(props, secrets.get(instance.replicationSecret()));
        PGProperty.REPLICATION.set(props, "true");
        PGProperty.ASSUME_MIN_SERVER_VERSION.set(props, "9.4");
        PGProperty.PREFER_QUERY_MODE.set(props, "simple");
        PGProperty.CONNECT_TIMEOUT.set(props, 10);
        PostgresTls.forInstance(secrets, instance.id()).applyTo(props);
        return DriverManager.getConnection(instance.jdbcUrl(), props);
    }

    public LocalPostgresProvisioner provisioner() {
        return provisioner;
    }

    public SecretStore secrets() {
        return secrets;
    }

    public Path home() {
        return home;
    }

    /** Destroys every cluster of the home (also ones made by code under test), then retires the watchdog. */
    @Override
    public void close() {
        List<String> failures = new ArrayList<>();
        Path instances = provisioner.config().instancesDir();
        if (Files.isDirectory(instances)) {
            try (DirectoryStream<Path> dirs = Files.newDirectoryStream(instances, Files::isDirectory)) {
                for (Path dir : dirs) {
                    try {
                        provisioner.destroy(InstanceId.of(dir.getFileName().toString()));
                    } catch (RuntimeException e) {
                        failures.add(dir.getFileName() + ": " + e.getMessage());
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + instances, e);
            } finally {
                watchdog.close();
            }
        } else {
            watchdog.close();
        }
        if (!failures.isEmpty()) {
            LOG.error("could not destroy every test cluster: {}", failures);
            throw new IllegalStateException("could not destroy every test cluster: " + failures);
        }
    }
}
