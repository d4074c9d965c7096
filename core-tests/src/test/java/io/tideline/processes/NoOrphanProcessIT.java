package io.tideline.processes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server started by a launcher must not outlive the JVM that started it, even when that JVM
 * is killed with SIGKILL (no shutdown hook, no JUnit cleanup runs then).
 */
class NoOrphanProcessIT {

    @Test
    void serversDieWhenTheirParentJvmIsKilled(@TempDir Path dir) throws Exception {
        Process parent = new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"),
                OrphanProbe.class.getName(), dir.toString())
                .redirectErrorStream(true)
                .start();
        Map<String, Long> pids = new HashMap<>();
        StringBuilder output = new StringBuilder();
        try {
            CompletableFuture<Void> ready = CompletableFuture.runAsync(() -> readPids(parent, pids, output));
            ready.get(150, TimeUnit.SECONDS);
            assertEquals(2, pids.size(), () -> "the probe did not report both servers: " + output);
            List<ProcessHandle> servers = pids.values().stream()
                    .map(pid -> ProcessHandle.of(pid).orElseThrow(() -> new AssertionError("server " + pid + " not running")))
                    .toList();
            for (ProcessHandle server : servers) {
                assertTrue(server.isAlive());
                assertTrue(server.parent().map(ProcessHandle::pid).orElse(-1L) != parent.pid(),
                        "a server runs under its watchdog, not directly under the JVM");
            }

            parent.destroyForcibly(); // SIGKILL on Linux
            assertTrue(parent.waitFor(10, TimeUnit.SECONDS));

            for (ProcessHandle server : servers) {
                // Watchdog poll (0.5 s) + graceful stop; SIGKILL after 10 s at the latest.
                CompletableFuture<ProcessHandle> exit = server.onExit();
                exit.get(30, TimeUnit.SECONDS);
                assertFalse(server.isAlive(), () -> "orphan server " + server.pid() + " still running");
            }
        } finally {
            if (parent.isAlive()) {
                parent.destroyForcibly();
            }
            // Never leave anything behind even if the assertion above failed.
            pids.values().forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
        }
    }

    private static void readPids(Process parent, Map<String, Long> pids, StringBuilder output) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(parent.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                output.append(line).append('\n');
                if (line.equals("ready")) {
                    return;
                }
                int eq = line.indexOf('=');
                if (eq > 0 && (line.startsWith("kafka=") || line.startsWith("s3="))) {
                    synchronized (pids) {
                        pids.put(line.substring(0, eq), Long.parseLong(line.substring(eq + 1)));
                    }
                }
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
