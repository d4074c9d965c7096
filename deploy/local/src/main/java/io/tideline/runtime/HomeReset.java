package io.tideline.runtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Empties a home for a fresh start (the demo's, a test's end): whatever still runs from it is stopped
 * first, and its instances are removed with their OS users.
 */
public final class HomeReset {

    private HomeReset() {
    }

    public static void wipe(RuntimeHome home) {
        if (!home.exists()) {
            return;
        }
        DetachedRuntime.stop(home);
        // The instances outlive any runtime: whatever still runs from the home is stopped before its data goes.
        ManagedInstances instances = ManagedInstances.of(home);
        instances.stopAll();
        if (!instances.running().isEmpty()) {
            throw new IllegalStateException("cannot empty " + home + ": instances " + instances.running() + " still run");
        }
        // Through the provisioner, so each instance's own OS user goes with it.
        List<String> left = instances.destroyAll();
        if (!left.isEmpty()) {
            throw new IllegalStateException("cannot empty " + home + ": instances " + left + " could not be removed");
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
