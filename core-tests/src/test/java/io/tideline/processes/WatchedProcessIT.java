package io.tideline.processes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WatchedProcessIT {

    @Test
    void theServerDiesWithItsWatchdog(@TempDir Path dir) throws Exception {
        WatchedProcess process = WatchedProcess.start("sleeper", List.of("sleep", "600"), dir, dir.resolve("log"));
        try {
            ProcessHandle watchdog = process.server().orElseThrow().parent().orElseThrow();
            assertEquals(ProcessHandle.current().pid(), watchdog.parent().orElseThrow().pid());
            // The death signal is armed once setpriv has run (it then execs sleep); before that a
            // killed watchdog leaves the server to the JVM-side stop, which is not what this tests.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!process.server().orElseThrow().info().command().orElse("").endsWith("sleep") && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }

            watchdog.destroyForcibly();

            process.server().orElseThrow().onExit().get(10, TimeUnit.SECONDS);
            assertFalse(process.isAlive());
        } finally {
            process.stop(Duration.ofSeconds(1));
        }
    }

    @Test
    void stopEscalatesToSigkillWhenTermIsIgnored(@TempDir Path dir) {
        WatchedProcess process = WatchedProcess.start("stubborn",
                List.of("bash", "-c", "trap '' TERM; echo started; while true; do sleep 0.2; done"),
                dir, dir.resolve("log"));
        assertTrue(process.isAlive());
        long start = System.nanoTime();

        process.stop(Duration.ofSeconds(1));

        assertFalse(process.isAlive());
        // SIGKILL after the 1 s grace; the bound only says stop does not wait without end (a loaded CI machine is slow)
        assertTrue(Duration.ofNanos(System.nanoTime() - start).compareTo(Duration.ofSeconds(30)) < 0);
    }

    @Test
    void outputGoesToTheLogFile(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("logs/out.log");
        WatchedProcess process = WatchedProcess.start("echo", List.of("bash", "-c", "echo hello-from-server; echo oops >&2"),
                dir, log);

        assertEquals(0, process.awaitExit(Duration.ofSeconds(10)).orElseThrow());
        String text = Files.readString(log);
        assertTrue(text.contains("hello-from-server"), text);
        assertTrue(text.contains("oops"), text);
        assertTrue(process.logTail(5).contains("hello-from-server"));
    }

    @Test
    void aCommandThatCannotRunIsReportedWithItsLog(@TempDir Path dir) {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> {
            WatchedProcess p = WatchedProcess.start("missing", List.of("/nonexistent/binary"), dir, dir.resolve("log"));
            // setpriv may fork before failing; then the failure is the exit status.
            if (p.awaitExit(Duration.ofSeconds(10)).orElseThrow() != 0) {
                throw new IllegalStateException("exited: " + p.logTail(5));
            }
        });
        assertTrue(e.getMessage().contains("/nonexistent/binary"), e.getMessage());
    }
}
