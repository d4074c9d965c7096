package io.tideline.testkit;

import io.tideline.core.instance.ProvisionedInstance;
import io.tideline.platform.local.secrets.DirectorySecretStore;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Stands for a test JVM that dies abruptly: makes a cluster with the real fixture, reports the
 * postmaster's PID on stdout, then waits to be killed. Run by {@link PostgresWatchdogIT}.
 */
public final class PostgresWatchdogChild {

    private PostgresWatchdogChild() {
    }

    public static void main(String[] args) throws Exception {
        Path home = Path.of(args[0]);
        PostgresClusters clusters = PostgresClusters.start(home, new DirectorySecretStore(home.resolve("secrets")));
        ProvisionedInstance pg = clusters.create("orphan");
        String pid = Files.readAllLines(pg.dataDir().resolve("postmaster.pid")).get(0).strip();
        System.out.println("READY " + pid + " " + pg.dataDir());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
