package io.tideline.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tideline.core.instance.ProvisionedInstance;
import io.tideline.platform.local.postgres.LocalPostgresConfig;
import io.tideline.platform.local.postgres.LocalPostgresProvisioner;
import io.tideline.platform.local.secrets.DirectorySecretStore;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.Comparator;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** No PostgreSQL server outlives its test JVM, even one killed with SIGKILL. */
class PostgresWatchdogIT {

    private Path home;
    private Process child;

    @Test
    void aKilledTestJvmLeavesNoServerRunning() throws Exception {
        home = Files.createTempDirectory("tideline-watchdog-it-");
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxr-xr-x"));
        String java = ProcessHandle.current().info().command().orElse("java");
        child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                PostgresWatchdogChild.class.getName(), home.toString())
                .redirectError(home.resolve("child.err").toFile())
                .start();

        String ready;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            ready = readReadyLine(out);
            assertNotNull(ready, "the child never reported its cluster; stderr:\n" + Files.readString(home.resolve("child.err")));
            long postmasterPid = Long.parseLong(ready.split(" ")[1]);
            Optional<ProcessHandle> postmaster = ProcessHandle.of(postmasterPid);
            assertTrue(postmaster.isPresent() && postmaster.get().isAlive(), "the postmaster should run before the kill");
            assertTrue(postmaster.get().info().command().orElse("").endsWith("postgres"), postmaster.get().info().toString());

            child.destroyForcibly(); // SIGKILL: no shutdown hook, no JUnit callback runs
            assertTrue(child.waitFor(30, TimeUnit.SECONDS));
            assertEquals(137, child.exitValue(), "killed by SIGKILL");

            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(45);
            while (postmaster.get().isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertFalse(postmaster.get().isAlive(), "the postmaster " + postmasterPid + " outlived its killed test JVM");
            Path pgdata = Path.of(ready.split(" ", 3)[2]);
            assertFalse(Files.exists(pgdata.resolve("postmaster.pid")), "an orderly immediate stop removes the PID file");
            String log = Files.readString(home.resolve("logs").resolve("postgres-watchdog.log"));
            assertTrue(log.contains("stopping " + pgdata), log);
        }
    }

    private static String readReadyLine(BufferedReader out) throws Exception {
        String line;
        while ((line = out.readLine()) != null) {
            if (line.startsWith("READY ")) {
                return line;
            }
        }
        return null;
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (child != null && child.isAlive()) {
            child.destroyForcibly();
            child.waitFor(30, TimeUnit.SECONDS);
        }
        if (home == null) {
            return;
        }
        // Should the watchdog have failed, do not leave the server behind for the rest of the build; and
        // remove the cluster through the provisioner, so that its own OS user (as root) goes with it.
        LocalPostgresProvisioner provisioner = new LocalPostgresProvisioner(LocalPostgresConfig.defaults(home),
                new DirectorySecretStore(home.resolve("secrets")), Clock.systemUTC());
        for (ProvisionedInstance instance : provisioner.list()) {
            provisioner.destroy(instance.id());
        }
        try (Stream<Path> paths = Files.walk(home)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
