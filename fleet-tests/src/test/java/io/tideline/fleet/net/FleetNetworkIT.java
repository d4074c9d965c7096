package io.tideline.fleet.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tideline.fleet.NetFleetExtension;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The network's own promises: what a crashed run left is removed, a live run's hosts are not touched, close removes all. */
class FleetNetworkIT {

    private final Shell shell = new Shell(Duration.ofSeconds(20));

    @BeforeAll
    static void needsNamespaces() {
        var unavailable = FleetNetwork.unavailableReason();
        if (unavailable.isPresent() && !Boolean.getBoolean(NetFleetExtension.REQUIRED)) {
            Assumptions.abort("fleet network tests skipped: " + unavailable.get());
        }
    }

    @Test
    void theLeftoversOfACrashedRunAreRemovedAtTheNextStart() throws Exception {
        // a run on subnet 249 that died without cleaning up: a namespace with a process in it, a veth pair, no lock holder
        String namespace = FleetNetwork.PREFIX + "249-zz";
        shell.check(List.of("ip", "netns", "add", namespace));
        shell.check(List.of("ip", "link", "add", namespace + "-e", "type", "veth", "peer", "name", namespace + "-b"));
        shell.check(List.of("ip", "link", "set", namespace + "-e", "netns", namespace));
        Process orphan = new ProcessBuilder("ip", "netns", "exec", namespace, "sleep", "300").start();
        try {
            try (FleetNetwork network = FleetNetwork.create()) {
                assertFalse(shell.check(List.of("ip", "netns", "list")).contains(namespace), "the namespace is gone");
                assertFalse(shell.check(List.of("ip", "-o", "link", "show")).contains(namespace + "-b"), "the link is gone");
                assertTrue(orphan.waitFor(10, TimeUnit.SECONDS), "the process in it was killed");
                assertNotEquals("10.231.249.1", network.gatewayAddress());
            }
        } finally {
            orphan.destroyForcibly();
            shell.run(List.of("ip", "netns", "del", namespace));
            shell.run(List.of("ip", "link", "del", namespace + "-b"));
        }
    }

    @Test
    void aLiveRunKeepsItsHostsASecondRunTakesAnotherSubnetAndCloseRemovesEverything() throws Exception {
        Host host;
        try (FleetNetwork first = FleetNetwork.create()) {
            Host a = first.addHost("a", 2);
            host = a;
            try (FleetNetwork second = FleetNetwork.create()) {
                assertNotEquals(first.gatewayAddress(), second.gatewayAddress(), "one subnet per run");
                assertTrue(shell.check(List.of("ip", "netns", "list")).contains(a.namespace()), "a live run's host is kept");
            }
        }
        List<String> namespaces = shell.check(List.of("ip", "netns", "list")).lines().map(l -> l.split(" ")[0]).toList();
        assertFalse(namespaces.contains(host.namespace()), "closed: its namespace is gone");
        assertFalse(shell.run(List.of("ip", "link", "show", host.port())).ok(), "closed: its link is gone");
    }
}
