package io.tideline.core.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tideline.core.ids.InstanceId;
import io.tideline.testkit.S3Extension;
import io.tideline.testkit.S3Server;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18: the instance stores of one endpoint share one HTTP connection pool. Before, each instance's
 * client had a pool of its own, so a replica streaming a thousand instances held a thousand idle
 * connections. Counted from the kernel: this JVM's established TCP connections to the S3 server.
 */
@ExtendWith(S3Extension.class)
class SharedConnectionPoolIT {

    @Test
    void tenInstancesUsedOneAfterTheOtherKeepOneConnectionNotTen(S3Server server, @TempDir Path secretsDir) throws IOException {
        StorageTestBed bed = new StorageTestBed(server, secretsDir, StorageTestBed.settingsFor(server));
        List<InstanceId> instances = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            instances.add(bed.provisionNew("pool-" + i));
        }
        int port = server.endpoint().getPort();
        int before = connectionsTo(port);
        try (ObjectStores stores = new ObjectStores(bed.settings, bed.secrets, Clock.systemUTC())) {
            for (InstanceId instance : instances) {
                ObjectStore store = stores.forInstance(instance);
                store.put("probe", new byte[] {1, 2, 3}, Map.of()); // each with its own credentials...
                assertEquals(1, store.list("probe").size());
            }
            int opened = connectionsTo(port) - before;
            // ...one after the other through one pool: its one kept-alive connection serves them all
            assertTrue(opened >= 1 && opened <= 2, "connections kept open for 10 instances: " + opened);
        } finally {
            bed.close();
        }
    }

    /**
     * Issue 18 (fleetbench): the clients also share one timer for their call timeouts. Before, each instance's
     * client made its own pool of up to five {@code sdk-ScheduledExecutor} threads on its first call: five
     * threads per WAL stream of a replica.
     */
    @Test
    void tenInstancesClientsAddNoTimerThreadsOfTheirOwn(S3Server server, @TempDir Path secretsDir) {
        StorageTestBed bed = new StorageTestBed(server, secretsDir, StorageTestBed.settingsFor(server));
        List<InstanceId> instances = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            instances.add(bed.provisionNew("timer-" + i));
        }
        long before = threadsNamed("sdk-ScheduledExecutor");
        try (ObjectStores stores = new ObjectStores(bed.settings, bed.secrets, Clock.systemUTC())) {
            for (InstanceId instance : instances) {
                stores.forInstance(instance).put("probe", new byte[] {1}, Map.of()); // a call: its timeout is armed
            }
            assertEquals(before, threadsNamed("sdk-ScheduledExecutor"), "per-client timer threads");
            assertTrue(threadsNamed("s3-call-timeouts-") >= 1, "the shared timer serves them");
        } finally {
            bed.close();
        }
    }

    private static long threadsNamed(String prefix) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.isAlive() && t.getName().startsWith(prefix)).count();
    }

    /** Established TCP connections of this process whose remote port is {@code port}. */
    static int connectionsTo(int port) throws IOException {
        Set<String> ownSockets = new HashSet<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            fds.forEach(fd -> {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        ownSockets.add(target.substring(8, target.length() - 1));
                    }
                } catch (IOException e) {
                    // closed meanwhile
                }
            });
        }
        int count = 0;
        for (String table : List.of("/proc/self/net/tcp", "/proc/self/net/tcp6")) {
            Path path = Path.of(table);
            if (!Files.exists(path)) {
                continue;
            }
            for (String line : Files.readAllLines(path).subList(1, Files.readAllLines(path).size())) {
                String[] f = line.trim().split("\\s+");
                String remote = f[2];
                int remotePort = Integer.parseInt(remote.substring(remote.indexOf(':') + 1), 16);
                if (remotePort == port && f[3].equals("01") && ownSockets.contains(f[9])) {
                    count++;
                }
            }
        }
        return count;
    }
}
