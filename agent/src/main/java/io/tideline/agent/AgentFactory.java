package io.tideline.agent;

import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Requires;
import io.tideline.core.instance.InstanceProvisioner;
import io.tideline.core.secrets.SecretStore;
import io.tideline.core.tls.TlsSettings;
import io.tideline.platform.local.FleetConfiguration;
import io.tideline.restore.HostRecovery;
import io.tideline.restore.RecoveryTuning;
import io.tideline.restore.wal.WalController;
import io.tideline.restore.wal.WalServer;
import jakarta.inject.Singleton;

/** The shared host-side pieces of a restore (restore-host), wired for this agent. */
@Factory
class AgentFactory {

    @Singleton
    @Bean(preDestroy = "close")
    @Requires(property = AgentConfiguration.ID)
    WalServer walServer(AgentConfiguration config) {
        // Enough fetch threads for every restore of this host to prefetch at once.
        return new WalServer(config.walPrefetch(), Math.max(2, config.walPrefetch() * Math.max(1, config.capacity())));
    }

    @Singleton
    @Requires(property = AgentConfiguration.ID)
    HostRecovery hostRecovery(AgentConfiguration config, InstanceProvisioner instances, SecretStore secrets, WalServer walServer,
                              AgentAddress address, TlsSettings tls, RecoveryTuning tuning) {
        // over HTTPS, the recovering servers' curl trusts the Tideline CA and checks the agent's name
        return new HostRecovery(instances, secrets, walServer,
                (restoreId, spool, tokenFile) -> WalController.restoreCommand(config.curl() + tls.curlTrust(), address.walBase(),
                        restoreId, spool, tokenFile),
                config.downloadParallelism(), config.progressInterval(), tuning);
    }

    @Singleton
    @Requires(property = AgentConfiguration.ID)
    AgentJournal journal(FleetConfiguration fleet) {
        return new AgentJournal(fleet.home().orElseThrow(() -> new IllegalStateException(
                FleetConfiguration.HOME + " (the agent's state directory) is not set")).resolve("agent").resolve("restores"));
    }
}
