package io.tideline.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RuntimePortsTest {

    @TempDir
    Path dir;

    @Test
    void portsChosenOnceAreKeptInTheHome() {
        RuntimeHome home = new RuntimeHome(dir).create();
        RuntimePorts first = RuntimePorts.forHome(home);
        assertEquals(first, RuntimePorts.forHome(home));
        assertEquals(true, Files.exists(home.portsFile()));
    }

    @Test
    void aKeptPortThatSomeoneElseTookIsReplacedAndTheOthersKept() throws Exception {
        RuntimeHome home = new RuntimeHome(dir).create();
        RuntimePorts first = RuntimePorts.forHome(home);
        try (ServerSocket squatter = new ServerSocket()) {
            squatter.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), first.http()));
            RuntimePorts second = RuntimePorts.forHome(home);
            assertNotEquals(first.http(), second.http());
            assertEquals(first.kafka(), second.kafka());
            assertEquals(first.s3(), second.s3());
            assertEquals(second, RuntimePorts.forHome(home), "the replacement is kept too");
        }
    }

    @Test
    void portsMustDiffer() {
        assertThrows(IllegalArgumentException.class, () -> new RuntimePorts(1000, 1000, 1001, 1002));
    }
}
