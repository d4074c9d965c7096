package io.tideline.runtime;

import io.tideline.core.instance.InstanceState;
import io.tideline.core.instance.ProvisionedInstance;
import io.tideline.platform.local.postgres.LocalPostgresConfig;
import io.tideline.platform.local.postgres.LocalPostgresProvisioner;
import io.tideline.platform.local.secrets.DirectorySecretStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.stream.Stream;

/** Empties a home for a fresh start (the demo's): whatever still runs from it is stopped first. */
public final class HomeReset {

    private HomeReset() {
    }

    public static void wipe(RuntimeHome home) {
        if (!home.exists()) {
            return;
        }
        DetachedRuntime.stop(home);
        // Servers a killed run left behind (normally the PostgreSQL watchdog stopped them already).
        LocalPostgresProvisioner provisioner = new LocalPostgresProvisioner(LocalPostgresConfig.defaults(home.root()),
                new DirectorySecretStore(home.secretsDir()), Clock.systemUTC());
        for (ProvisionedInstance instance : provisioner.list()) {
            if (provisioner.state(instance.id()).orElse(InstanceState.STOPPED) == InstanceState.RUNNING) {
                provisioner.stop(instance.id());
            }
        }
        try (Stream<Path> paths = Files.walk(home.root())) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot empty " + home + ": " + e.getMessage(), e);
        }
    }
}
