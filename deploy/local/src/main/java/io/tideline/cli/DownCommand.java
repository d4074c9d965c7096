package io.tideline.cli;

import io.tideline.runtime.DetachedRuntime;
import io.tideline.runtime.ManagedInstances;
import io.tideline.runtime.RuntimeHome;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Stops the runtime and, unless told to keep them, the managed instances. The runtime never stops
 * them itself (they outlive it when it crashes); stopping them is this command's decision, so that
 * a person who runs {@code down} on a laptop is left with nothing running, while an operator who
 * restarts the services (an upgrade, a configuration change) keeps the databases serving with
 * {@code --keep-instances}.
 */
@Command(name = "down", mixinStandardHelpOptions = true,
        description = {"Stop the embedded runtime gracefully (services, the S3 server, Kafka), then the managed "
                + "instances (a clean shutdown checkpoint). Nothing is lost: './tideline up' brings it all back.",
                "With --keep-instances the instances keep running and serving; './tideline up' adopts them and "
                        + "archiving resumes where it stopped."})
final class DownCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--home", paramLabel = "DIR", description = "The runtime's home directory (default: $TIDELINE_HOME, else ./var).")
    Path home;

    @Option(names = "--keep-instances",
            description = "Leave the managed PostgreSQL instances running (their WAL waits in the replication slot until './tideline up').")
    boolean keepInstances;

    @Override
    public Integer call() {
        RuntimeHome runtimeHome = RuntimeHome.resolve(Optional.ofNullable(home), TidelineCli.of(spec).environment());
        PrintWriter out = spec.commandLine().getOut();
        switch (DetachedRuntime.stop(runtimeHome)) {
            case NOT_RUNNING -> out.println("The runtime in " + runtimeHome + " is not running.");
            case STOPPED -> out.println("The runtime in " + runtimeHome + " stopped.");
            case KILLED -> out.println("The runtime in " + runtimeHome + " did not stop within "
                    + DetachedRuntime.STOP_TIMEOUT.toSeconds() + " s and was killed; Kafka and the S3 server were stopped by their watchdogs.");
        }
        if (!runtimeHome.exists()) {
            return ExitCodes.OK;
        }
        ManagedInstances instances = ManagedInstances.of(runtimeHome);
        if (keepInstances) {
            List<String> running = instances.running();
            out.println(running.isEmpty() ? "No instance runs."
                    : "Instances kept running: " + String.join(", ", running) + " (stop them with ./tideline down).");
        } else {
            List<String> stopped = instances.stopAll();
            if (!stopped.isEmpty()) {
                out.println("Instances stopped: " + String.join(", ", stopped) + ".");
            }
            List<String> left = instances.running();
            if (!left.isEmpty()) {
                throw CliException.failure("instances still running, they did not stop: " + String.join(", ", left)
                        + " (see their postgres.log under " + runtimeHome.instancesDir() + ")");
            }
        }
        return ExitCodes.OK;
    }
}
