package io.tideline.runtime;

import io.tideline.core.instance.InstanceState;
import io.tideline.core.instance.ProvisionedInstance;
import io.tideline.core.secrets.SecretStore;
import io.tideline.platform.local.postgres.LocalPostgresConfig;
import io.tideline.platform.local.postgres.LocalPostgresProvisioner;
import io.tideline.processes.PostgresWatchdog;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PostgreSQL clusters under {@code <home>/instances}, as the runtime sees them: started with it,
 * stopped with it (a clean shutdown checkpoint), and tied to its JVM by a {@link PostgresWatchdog},
 * because a postmaster started by {@code pg_ctl} is not our child and would otherwise outlive a
 * runtime that was killed.
 */
final class ManagedInstances {

    private static final Logger LOG = LoggerFactory.getLogger(ManagedInstances.class);

    private final RuntimeHome home;
    private final LocalPostgresProvisioner provisioner;
    private PostgresWatchdog watchdog;

    ManagedInstances(RuntimeHome home, SecretStore secrets, Clock clock) {
        this.home = home;
        this.provisioner = new LocalPostgresProvisioner(LocalPostgresConfig.defaults(home.root()), secrets, clock);
    }

    int count() {
        return (int) provisioner.list().stream().filter(this::startable).count();
    }

    /** Starts every cluster that holds data (not those allocated for a restore that never finished). */
    void startAll() {
        LocalPostgresConfig config = provisioner.config();
        watchdog = PostgresWatchdog.start(config.instancesDir(), config.binDir().resolve("pg_ctl"),
                provisioner.serverUser(), home.logsDir().resolve("postgres-watchdog.log"));
        List<String> failed = new ArrayList<>();
        for (ProvisionedInstance instance : provisioner.list()) {
            if (!startable(instance)) {
                continue;
            }
            try {
                provisioner.start(instance.id());
                LOG.info("instance {} runs on {}:{}", instance.id(), instance.host(), instance.port());
            } catch (RuntimeException e) {
                // One broken cluster must not keep the others (and the services) down.
                LOG.error("cannot start instance {}: {}", instance.id(), e.getMessage());
                failed.add(instance.id().value());
            }
        }
        if (!failed.isEmpty()) {
            LOG.warn("instances that did not start: {} (see their postgres.log under {})", failed, home.instancesDir());
        }
    }

    /** Stops every running cluster of the home, including those the CLI or a restore started meanwhile. */
    void stopAll() {
        try {
            for (ProvisionedInstance instance : provisioner.list()) {
                if (provisioner.state(instance.id()).orElse(InstanceState.STOPPED) == InstanceState.RUNNING) {
                    try {
                        provisioner.stop(instance.id());
                    } catch (RuntimeException e) {
                        LOG.warn("cannot stop instance {}: {}", instance.id(), e.getMessage());
                    }
                }
            }
        } finally {
            if (watchdog != null) {
                watchdog.close();
                watchdog = null;
            }
        }
    }

    private boolean startable(ProvisionedInstance instance) {
        return provisioner.state(instance.id()).map(s -> s != InstanceState.ALLOCATED).orElse(false);
    }
}
