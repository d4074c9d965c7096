package io.tideline.platform.local;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import io.tideline.platform.local.postgres.PostgresNetwork;
import java.util.List;
import java.util.Optional;

/**
 * {@code tideline.fleet.postgres-network.*}: where the servers the local provisioner makes listen, and who may log
 * in to them from other hosts. Unset: loopback only, as on one machine. A restore agent's database host sets its own
 * address and the networks of the hosts that use its restored copies (the service hosts' archivers, the users);
 * its copies are then handed out with that address.
 *
 * @param listenAddress  this host's IPv4 address the servers listen on (and loopback); unset: {@code 127.0.0.1} only
 * @param clientNetworks CIDR networks whose clients may log in (SCRAM passwords, replication included)
 */
@ConfigurationProperties(PostgresNetworkConfiguration.PREFIX)
public record PostgresNetworkConfiguration(Optional<String> listenAddress, @Nullable List<String> clientNetworks) {

    public static final String PREFIX = FleetConfiguration.PREFIX + ".postgres-network";
    public static final String LISTEN_ADDRESS = PREFIX + ".listen-address";
    public static final String CLIENT_NETWORKS = PREFIX + ".client-networks";

    public PostgresNetworkConfiguration {
        listenAddress = listenAddress == null ? Optional.empty() : listenAddress.filter(a -> !a.isBlank());
        clientNetworks = clientNetworks == null ? List.of() : List.copyOf(clientNetworks);
        network(listenAddress, clientNetworks); // a bad address or network stops the process at start, naming it
    }

    /** The provisioner's value. */
    public PostgresNetwork network() {
        return network(listenAddress, clientNetworks);
    }

    private static PostgresNetwork network(Optional<String> address, List<String> networks) {
        try {
            return new PostgresNetwork(address.orElse(PostgresNetwork.LOOPBACK), networks);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(PREFIX + ": " + e.getMessage(), e);
        }
    }
}
