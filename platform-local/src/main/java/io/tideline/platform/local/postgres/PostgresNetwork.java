package io.tideline.platform.local.postgres;

import io.tideline.core.config.Require;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Where the servers {@link LocalPostgresProvisioner} makes listen, and who may log in to them over the network.
 * The default is this machine only ({@code 127.0.0.1}, nobody else). A database host whose servers other hosts use
 * (the restore agent's host, whose restored copies the archivers on other hosts stream) gives its own address and
 * the networks of those hosts: the server then listens on that address and on loopback, and its
 * {@code pg_hba.conf} accepts those networks with SCRAM passwords, as it accepts loopback.
 *
 * @param listenAddress  the host's own IP address the servers listen on (never a wildcard: it is also the address
 *                       handed out to connect to, and a server must not be reachable on addresses nobody chose)
 * @param clientNetworks CIDR networks (besides loopback) whose clients may log in, replication included
 */
public record PostgresNetwork(String listenAddress, List<String> clientNetworks) {

    public static final String LOOPBACK = "127.0.0.1";
    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
    private static final Pattern CIDR = Pattern.compile("(\\d{1,3}\\.){3}\\d{1,3}/\\d{1,2}");

    public PostgresNetwork {
        Require.that(listenAddress != null && IPV4.matcher(listenAddress).matches() && !listenAddress.equals("0.0.0.0"),
                "listen address", "this host's own IPv4 address (not a wildcard)", listenAddress);
        clientNetworks = List.copyOf(clientNetworks == null ? List.of() : clientNetworks);
        clientNetworks.forEach(n -> Require.that(CIDR.matcher(n).matches(), "client network", "a CIDR network such as 10.0.0.0/24", n));
    }

    /** This machine only: what a server made here had before hosts existed. */
    public static PostgresNetwork loopback() {
        return new PostgresNetwork(LOOPBACK, List.of());
    }

    public boolean isLoopback() {
        return LOOPBACK.equals(listenAddress);
    }

    /** {@code listen_addresses}: the host's address, and loopback for what runs on the host itself. */
    String listenAddresses() {
        return isLoopback() ? LOOPBACK : listenAddress + "," + LOOPBACK;
    }

    /** The IP addresses the servers listen on, loopback first: what their certificates name. */
    java.util.List<String> addresses() {
        return isLoopback() ? List.of(LOOPBACK) : List.of(LOOPBACK, listenAddress);
    }

    /** The {@code pg_hba.conf} lines beyond loopback's: each client network, logins and replication, SCRAM only. */
    List<String> hbaLines(String replicationUser) {
        List<String> lines = new ArrayList<>();
        for (String network : clientNetworks) {
            lines.add("host    all           all        " + network + "    scram-sha-256");
            lines.add("host    replication   " + replicationUser + "    " + network + "    scram-sha-256");
        }
        return lines;
    }
}
