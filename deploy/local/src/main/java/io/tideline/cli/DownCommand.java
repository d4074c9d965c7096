package io.tideline.cli;

import io.tideline.runtime.DetachedRuntime;
import io.tideline.runtime.RuntimeHome;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "down", mixinStandardHelpOptions = true,
        description = "Stop the embedded runtime gracefully (services, then instances, the S3 server, Kafka). "
                + "Nothing is lost: './tideline up' brings it all back.")
final class DownCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--home", paramLabel = "DIR", description = "The runtime's home directory (default: $TIDELINE_HOME, else ./var).")
    Path home;

    @Override
    public Integer call() {
        RuntimeHome runtimeHome = RuntimeHome.resolve(Optional.ofNullable(home), TidelineCli.of(spec).environment());
        PrintWriter out = spec.commandLine().getOut();
        switch (DetachedRuntime.stop(runtimeHome)) {
            case NOT_RUNNING -> out.println("The runtime in " + runtimeHome + " is not running.");
            case STOPPED -> out.println("The runtime in " + runtimeHome + " stopped.");
            case KILLED -> out.println("The runtime in " + runtimeHome + " did not stop within "
                    + DetachedRuntime.STOP_TIMEOUT.toSeconds() + " s and was killed; its servers were stopped by their watchdogs.");
        }
        return ExitCodes.OK;
    }
}
