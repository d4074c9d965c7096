package io.tideline.core.registry;

import io.tideline.core.postgres.PostgresTls;
import io.tideline.core.ids.InstanceId;
import io.tideline.core.instance.InstanceProvisioner;
import io.tideline.core.instance.ProvisionedInstance;
import io.tideline.core.kafka.EventPublisher;
import io.tideline.core.kafka.Topics;
import io.tideline.core.secrets.SecretStore;
import io.tideline.core.storage.BucketGrant;
import io.tideline.core.storage.StorageProvisioner;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one sequence that makes a managed instance part of the fleet: a PostgreSQL server, its own
 * bucket with credentials that reach that bucket only, and an {@code InstanceRegistered} on the
 * compacted instances topic (from which the scheduler, archiver, retention and restore services
 * learn of it). Removal runs it backwards.
 *
 * <p>If a step fails, what the earlier steps made is undone, so a failed create leaves neither a
 * half-made server nor an orphan bucket.
 */
public final class InstanceOnboarding {

    private static final Logger LOG = LoggerFactory.getLogger(InstanceOnboarding.class);

    private final InstanceProvisioner instances;
    private final StorageProvisioner storage;
    private final SecretStore secrets;
    private final EventPublisher publisher;
    private final Clock clock;

    /** Per-instance choices; empty means the fleet default. */
    public record Options(Optional<Integer> backupWindowStartMinuteUtc, Optional<Integer> retentionDays, DrillPolicy restoreDrill,
                          Optional<java.time.Duration> rtoBudget) {

        /** Without an RTO budget (the default: none). */
        public Options(Optional<Integer> backupWindowStartMinuteUtc, Optional<Integer> retentionDays, DrillPolicy restoreDrill) {
            this(backupWindowStartMinuteUtc, retentionDays, restoreDrill, Optional.empty());
        }

        public Options withRtoBudget(Optional<java.time.Duration> budget) {
            return new Options(backupWindowStartMinuteUtc, retentionDays, restoreDrill, budget);
        }

        /**
         * The longest retention an instance may ask for. The spec promises 7 days and "longer on request";
         * 35 is Amazon RDS's ceiling for automated backups: a bound people know, and a year of daily backups
         * kept by a typo ({@code 400}) is refused rather than paid for.
         */
        public static final int MAX_RETENTION_DAYS = 35;

        public static Options defaults() {
            return new Options(Optional.empty(), Optional.empty());
        }

        /** With the default restore drill policy (weekly, no probe). */
        public Options(Optional<Integer> backupWindowStartMinuteUtc, Optional<Integer> retentionDays) {
            this(backupWindowStartMinuteUtc, retentionDays, DrillPolicy.DEFAULT);
        }

        public Options withRestoreDrill(DrillPolicy policy) {
            return new Options(backupWindowStartMinuteUtc, retentionDays, policy, rtoBudget);
        }

        public Options {
            java.util.Objects.requireNonNull(restoreDrill, "restoreDrill");
            java.util.Objects.requireNonNull(rtoBudget, "rtoBudget");
            rtoBudget.ifPresent(RegisteredInstance::requirePositiveBudget);
            backupWindowStartMinuteUtc.ifPresent(m -> {
                if (m < 0 || m >= 24 * 60) {
                    throw new IllegalArgumentException("backup window start must be a minute of the day (0-1439): " + m);
                }
            });
            retentionDays.ifPresent(d -> {
                if (d < 1 || d > MAX_RETENTION_DAYS) {
                    throw new IllegalArgumentException("retention must be 1 to " + MAX_RETENTION_DAYS + " days (default 7): " + d);
                }
            });
        }
    }

    public InstanceOnboarding(InstanceProvisioner instances, StorageProvisioner storage, SecretStore secrets,
                              EventPublisher publisher, Clock clock) {
        this.instances = instances;
        this.storage = storage;
        this.secrets = secrets;
        this.publisher = publisher;
        this.clock = clock;
    }

    /** Creates the server and the bucket, then registers the instance; returns what was registered. */
    public RegisteredInstance create(InstanceId id, String name, Options options) {
        ProvisionedInstance server = instances.create(id);
        BucketGrant grant;
        try {
            grant = storage.provision(id);
        } catch (RuntimeException e) {
            destroyQuietly(id);
            throw e;
        }
        try {
            return register(server, grant, name, options, Optional.empty(), clock.instant());
        } catch (RuntimeException e) {
            deprovisionQuietly(id);
            destroyQuietly(id);
            throw e;
        }
    }

    /**
     * Publishes the registration of an instance whose server and bucket already exist — the last step
     * of {@link #create}, and how the restore service registers the instances it makes.
     */
    public RegisteredInstance register(ProvisionedInstance server, BucketGrant grant, String name, Options options,
                                       Optional<RegisteredInstance.Origin> restoredFrom, Instant registeredAt) {
        RegisteredInstance instance = new RegisteredInstance(
                server.id(), name, server.host(), server.port(), server.database(),
                server.adminUser(), server.adminSecret(),
                server.credentials().replicationUser(), server.credentials().replicationSecret(),
                grant.bucket(), grant.accessKeyRef(), grant.secretKeyRef(),
                majorVersion(server.postgresVersion()), walSegmentSize(server),
                options.backupWindowStartMinuteUtc(), options.retentionDays(), restoredFrom, registeredAt,
                options.restoreDrill(), false, options.rtoBudget());
        publisher.publishAndWait(Topics.INSTANCES, instance.id().value(), instance.toEvent(UUID.randomUUID(), clock.instant()));
        LOG.info("registered instance {} ({}) at {}:{}, bucket {}", instance.id(), name, instance.host(), instance.port(), instance.bucket());
        return instance;
    }

    /** Unregisters the instance (tombstone), then removes its server and its bucket. */
    public void remove(InstanceId id) {
        publisher.tombstoneAndWait(Topics.INSTANCES, id.value());
        destroyQuietly(id);
        storage.deprovision(id);
    }

    static int majorVersion(String version) {
        int dot = version.indexOf('.');
        return Integer.parseInt(dot < 0 ? version : version.substring(0, dot));
    }

    private long walSegmentSize(ProvisionedInstance server) {
        Properties props = new Properties();
        props.setProperty("user", server.adminUser());
        props.setProperty("password", secrets.get(server.adminSecret()));
        PostgresTls.forInstance(secrets, server.id()).applyTo(props);
        try (Connection c = DriverManager.getConnection(server.jdbcUrl(), props);
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT setting::bigint FROM pg_settings WHERE name = 'wal_segment_size'")) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read wal_segment_size of " + server.id() + ": " + e.getMessage(), e);
        }
    }

    private void destroyQuietly(InstanceId id) {
        try {
            instances.destroy(id);
        } catch (RuntimeException e) {
            LOG.warn("could not remove the server of {} after a failed step: {}", id, e.getMessage());
        }
    }

    private void deprovisionQuietly(InstanceId id) {
        try {
            storage.deprovision(id);
        } catch (RuntimeException e) {
            LOG.warn("could not remove the bucket of {} after a failed step: {}", id, e.getMessage());
        }
    }
}
