package io.tideline.fleet.net;

import java.util.ArrayList;
import java.util.List;

/**
 * One host of the fleet: a network namespace with one veth link to the fleet's bridge and one address.
 *
 * @param name      short, e.g. {@code sv1} (a part of every interface name, so at most 3 characters)
 * @param namespace the network namespace, {@code tlf<net>-<name>}
 * @param address   the host's address in the fleet's subnet; every process of the host binds to it
 * @param link      the veth end inside the namespace
 * @param port      the veth end on the bridge (in the root namespace)
 */
public record Host(String name, String namespace, String address, String link, String port) {

    /** {@code command} run inside this host's namespace. */
    public List<String> exec(List<String> command) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
        full.addAll(command);
        return full;
    }

    @Override
    public String toString() {
        return name + " (" + address + ")";
    }
}
