package io.tideline.cli;

import io.tideline.runtime.DetachedRuntime;
import io.tideline.runtime.DurationText;
import io.tideline.runtime.EmbeddedRuntime;
import io.tideline.runtime.ManagedInstances;
import io.tideline.runtime.RuntimeHome;
import io.tideline.runtime.RuntimeInfo;
import io.tideline.runtime.RuntimeOptions;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "up", mixinStandardHelpOptions = true,
        description = {"Start the embedded runtime in the background: a single-node KRaft Kafka broker, the S3 server, "
                + "the managed PostgreSQL instances and the four services, all state under one directory.",
                "It keeps running until './tideline down'; starting it again finds everything as it was.",
                "Instances still running (the last runtime crashed, or 'down --keep-instances') are adopted, not restarted."})
final class UpCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--home", paramLabel = "DIR", description = "The runtime's home directory (default: $TIDELINE_HOME, else ./var).")
    Path home;

    @Option(names = "--wal-flush-interval", paramLabel = "DURATION", defaultValue = "60s",
            description = "How often the WAL segment being filled is uploaded when it grew, at most 60s (default: ${DEFAULT-VALUE}).")
    String walFlushInterval;

    @Option(names = "--exit-with-pid", hidden = true, description = "Stop the runtime when this process ends (tests).")
    Long exitWithPid;

    @Override
    public Integer call() {
        TidelineCli cli = TidelineCli.of(spec);
        RuntimeHome runtimeHome = RuntimeHome.resolve(Optional.ofNullable(home), cli.environment());
        PrintWriter out = spec.commandLine().getOut();
        Optional<RuntimeInfo> running = RuntimeInfo.running(runtimeHome);
        if (running.isPresent()) {
            // The options are the runtime's settings at start: a running runtime cannot take them, and saying
            // nothing would let the user believe they apply.
            List<String> given = spec.commandLine().getParseResult().matchedOptions().stream()
                    .filter(o -> !o.longestName().equals("--home"))
                    .map(o -> o.longestName()).distinct().toList();
            if (!given.isEmpty()) {
                throw CliException.refused("the runtime already runs in " + runtimeHome + " (pid " + running.get().pid()
                        + "): " + String.join(", ", given) + " not applied (options take effect at start: "
                        + "./tideline down, then ./tideline up with them)");
            }
            out.println("The runtime already runs in " + runtimeHome + " (pid " + running.get().pid() + ").");
            StatusCommand.print(out, StatusReport.probe(runtimeHome, running, StatusReport.probeTimeout(cli.environment())));
            signInHint(out, runtimeHome);
            return ExitCodes.OK;
        }
        RuntimeOptions options;
        try {
            options = RuntimeOptions.defaults().withWalFlushInterval(DurationText.parse(walFlushInterval));
        } catch (IllegalArgumentException e) {
            throw CliException.usage("--wal-flush-interval: " + e.getMessage());
        }
        if (exitWithPid != null) {
            options = options.withExitWithPid(exitWithPid);
        }
        HomeChecks.requireReachableByPostgres(runtimeHome);
        List<String> serving = runtimeHome.exists() ? ManagedInstances.of(runtimeHome).running() : List.of();
        if (!serving.isEmpty()) {
            // They outlived the last runtime (a crash, or down --keep-instances): adopted as they are, not restarted.
            spec.commandLine().getErr().println("Instances still running, adopted as they are: " + String.join(", ", serving));
        }
        spec.commandLine().getErr().println("Starting the runtime in " + runtimeHome + " (log: " + runtimeHome.runtimeLog() + ") ...");
        spec.commandLine().getErr().flush();
        RuntimeInfo info;
        try {
            info = DetachedRuntime.start(runtimeHome, options);
        } catch (EmbeddedRuntime.RuntimeStartException e) {
            throw CliException.failure(e.getMessage(), e);
        }
        out.println("The runtime is up (pid " + info.pid() + ").");
        StatusCommand.print(out, StatusReport.probe(runtimeHome, Optional.of(info), StatusReport.probeTimeout(cli.environment())));
        signInHint(out, runtimeHome);
        return ExitCodes.OK;
    }

    /** Where the first admin's password is (the file, never the password): the API and the view need a sign-in. */
    static void signInHint(PrintWriter out, RuntimeHome home) {
        if (java.nio.file.Files.exists(home.adminPasswordFile())) {
            out.println("First admin: " + io.tideline.runtime.FirstAdmin.NAME + ", password in " + home.adminPasswordFile()
                    + " (0600). Sign in: ./tideline login --password-file " + home.adminPasswordFile());
        }
    }
}
