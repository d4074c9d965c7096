package io.tideline.cli;

import io.tideline.runtime.RuntimeHome;
import java.nio.file.Path;
import java.util.Optional;

/** Checks of a home before anything is started in it. */
final class HomeChecks {

    private HomeChecks() {
    }

    /**
     * When we are root, PostgreSQL runs as the {@code postgres} user, which must be able to walk down
     * to {@code <home>/instances}: say so before anything starts, not on the first {@code instance create}.
     */
    static void requireReachableByPostgres(RuntimeHome home) {
        Optional<Path> blocked = blockingDirectory(home);
        if (blocked.isPresent()) {
            throw CliException.failure("PostgreSQL runs as the postgres user, which cannot reach " + home + " because "
                    + blocked.get() + " is not traversable: run 'chmod o+x " + blocked.get()
                    + "' or choose another home with --home or TIDELINE_HOME");
        }
    }

    static Optional<Path> blockingDirectory(RuntimeHome home) {
        return isRoot() ? home.untraversableAncestor() : Optional.empty();
    }

    static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }
}
