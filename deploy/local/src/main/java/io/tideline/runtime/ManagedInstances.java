package io.tideline.runtime;

import io.tideline.core.ids.InstanceId;
import io.tideline.core.instance.InstanceState;
import io.tideline.core.instance.ProvisionedInstance;
import io.tideline.core.secrets.SecretStore;
import io.tideline.platform.local.postgres.LocalPostgresConfig;
import io.tideline.platform.local.postgres.LocalPostgresProvisioner;
import io.tideline.platform.local.secrets.DirectorySecretStore;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PostgreSQL clusters under {@code <home>/instances}. They are the customers' databases and
 * live on their own: the runtime starts those that are stopped and adopts those that still run (a
 * runtime that crashed or was stopped with {@code down --keep-instances} left them serving), but
 * never stops them when it ends, however it ends. A backup system's failure must not be the
 * database's outage. Only an explicit {@code tideline down} (without {@code --keep-instances}), the
 * demo at its end and {@link HomeReset} stop them, through {@link #stopAll} ({@link HomeReset} then removes
 * them with {@link #destroyAll}).
 */
public final class ManagedInstances {

    private static final Logger LOG = LoggerFactory.getLogger(ManagedInstances.class);

    private final RuntimeHome home;
    private final LocalPostgresProvisioner provisioner;

    ManagedInstances(RuntimeHome home, SecretStore secrets, Clock clock) {
        this.home = home;
        this.provisioner = new LocalPostgresProvisioner(config(home), secrets, clock);
    }

    /**
     * How the embedded runtime's provisioners make servers: the defaults, with TLS on (a certificate from the
     * Tideline CA, {@code ssl=on}, TLS-only {@code pg_hba.conf}; docs/deploy-local.md). The CLI's and the
     * services' provisioners of a runtime home use the same.
     */
    public static LocalPostgresConfig config(RuntimeHome home) {
        return LocalPostgresConfig.defaults(home.root()).withTls(true);
    }

    /**
     * Renews the server certificates that are due and reloads their servers (no restart): the runtime's hourly
     * pass ({@link EmbeddedRuntime}). Returns the instances renewed.
     */
    public List<InstanceId> renewCertificates() {
        return provisioner.renewCertificates();
    }

    /** The clusters of {@code home}, seen from outside a runtime (the CLI's {@code down}, the demo). */
    public static ManagedInstances of(RuntimeHome home) {
        return new ManagedInstances(home, new DirectorySecretStore(home.secretsDir()), Clock.systemUTC());
    }

    int count() {
        return (int) provisioner.list().stream().filter(this::startable).count();
    }

    /**
     * Starts every cluster that holds data (not those allocated for a restore that never finished)
     * and adopts those already running: {@code pg_ctl status} finds their postmaster, and no second
     * one is started.
     */
    void startAll() {
        if (!home.exists()) {
            return;
        }
        List<String> failed = new ArrayList<>();
        for (ProvisionedInstance instance : provisioner.list()) {
            try {
                InstanceState state = provisioner.state(instance.id()).orElse(InstanceState.ALLOCATED);
                if (state == InstanceState.ALLOCATED) {
                    continue;
                }
                if (state == InstanceState.RUNNING) {
                    LOG.info("instance {} still runs on {}:{}: adopted", instance.id(), instance.host(), instance.port());
                    continue;
                }
                if (!portFree(instance.port())) {
                    // Someone took the port while the instance was stopped; starting would only fail in postgres.log.
                    throw new IllegalStateException("port " + instance.port() + " is taken by another process");
                }
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

    /** The ids of the clusters that run now. */
    public List<String> running() {
        return runningInstances().stream().map(i -> i.id().value()).toList();
    }

    /**
     * Stops every running cluster of the home (a clean shutdown checkpoint), including those a
     * restore started; returns the ids it stopped. One that cannot be stopped does not keep the
     * others running.
     */
    public List<String> stopAll() {
        List<String> stopped = new ArrayList<>();
        for (ProvisionedInstance instance : runningInstances()) {
            try {
                provisioner.stop(instance.id());
                stopped.add(instance.id().value());
            } catch (RuntimeException e) {
                LOG.warn("cannot stop instance {}: {}", instance.id(), e.getMessage());
            }
        }
        return List.copyOf(stopped);
    }

    /**
     * Removes every instance of the home — server, data, secrets and, when we are root, its OS user —
     * for a home that is being emptied ({@link HomeReset}); deleting the files alone would leave the users.
     * Returns the ids it could not remove (each is logged).
     */
    public List<String> destroyAll() {
        List<String> failed = new ArrayList<>();
        if (!home.exists()) {
            return failed;
        }
        for (ProvisionedInstance instance : provisioner.list()) {
            try {
                provisioner.destroy(instance.id());
            } catch (RuntimeException e) {
                LOG.warn("cannot remove instance {}: {}", instance.id(), e.getMessage());
                failed.add(instance.id().value());
            }
        }
        return List.copyOf(failed);
    }

    private List<ProvisionedInstance> runningInstances() {
        if (!home.exists()) {
            return List.of();
        }
        return provisioner.list().stream()
                .filter(i -> provisioner.state(i.id()).orElse(InstanceState.STOPPED) == InstanceState.RUNNING)
                .toList();
    }

    private boolean startable(ProvisionedInstance instance) {
        return provisioner.state(instance.id()).map(s -> s != InstanceState.ALLOCATED).orElse(false);
    }

    private static boolean portFree(int port) {
        try (ServerSocket ignored = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
