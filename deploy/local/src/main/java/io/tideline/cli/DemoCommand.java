package io.tideline.cli;

import io.tideline.cli.demo.DemoReport;
import io.tideline.cli.demo.DemoStory;
import io.tideline.runtime.DurationText;
import io.tideline.runtime.EmbeddedRuntime;
import io.tideline.runtime.HomeReset;
import io.tideline.runtime.Logging;
import io.tideline.runtime.RuntimeHome;
import io.tideline.runtime.RuntimeOptions;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"The whole story on the embedded runtime, narrated and checked: start it, create an instance, "
                + "write, take the daily backup, keep writing while WAL streams, an accidental DELETE, restore to the "
                + "moment just before it into a NEW instance, and check the rows.",
                "Uses its own home (./var/demo, emptied first) and stops everything it started, also on Ctrl-C. "
                        + "Exit status 0 only if every check held (4 otherwise)."})
final class DemoCommand implements Callable<Integer> {

    /** Where the demo lives when the repository's directory is not reachable by the postgres user. */
    static final Path FALLBACK_HOME = Path.of("/var/tmp/tideline-demo");

    @Spec
    CommandSpec spec;

    @Option(names = "--home", paramLabel = "DIR", description = "The demo's home, emptied first (default: ./var/demo).")
    Path home;

    @Option(names = "--rows", paramLabel = "N", defaultValue = "40000",
            description = "Orders written before the backup; as many again after it (default: ${DEFAULT-VALUE}).")
    int rows;

    @Option(names = "--wal-flush-interval", paramLabel = "DURATION", defaultValue = "5s",
            description = "How often the archiver uploads the WAL segment being filled (default: ${DEFAULT-VALUE}).")
    String walFlushInterval;

    @Override
    public Integer call() {
        TidelineCli cli = TidelineCli.of(spec);
        PrintWriter out = spec.commandLine().getOut();
        RuntimeOptions runtimeOptions;
        try {
            runtimeOptions = RuntimeOptions.defaults().withWalFlushInterval(DurationText.parse(walFlushInterval));
        } catch (IllegalArgumentException e) {
            throw CliException.usage("--wal-flush-interval: " + e.getMessage());
        }
        DemoStory.Options options;
        try {
            options = new DemoStory.Options(demoHome(out), "orders", "orders-before-delete", rows);
        } catch (IllegalArgumentException e) {
            throw CliException.usage(e.getMessage());
        }
        out.println("Tideline demo: backups and point-in-time recovery of a PostgreSQL instance, end to end.");
        out.println("Home: " + options.home() + " (emptied first; logs in " + options.home().logsDir() + ")");
        HomeReset.wipe(options.home());
        options.home().create();
        if (cli.ownsLogging() && !cli.verbose()) {
            Logging.toFile(options.home().runtimeLog());
        }
        DemoReport report;
        try {
            report = new DemoStory(options, cli.clock(), out, spec.commandLine().getErr(), cli.interactive()).run(runtimeOptions);
        } catch (EmbeddedRuntime.RuntimeStartException e) {
            throw CliException.failure("the runtime did not start: " + e.getMessage() + " (log: "
                    + options.home().runtimeLog() + ")", e);
        }
        report.print(out);
        if (!report.passed()) {
            throw CliException.refused("the demo's checks did not all hold (see the table above)");
        }
        return ExitCodes.OK;
    }

    private RuntimeHome demoHome(PrintWriter out) {
        RuntimeHome wanted = home != null ? new RuntimeHome(home)
                : new RuntimeHome(RuntimeHome.DEFAULT.resolve("demo"));
        Optional<Path> blocked = HomeChecks.blockingDirectory(wanted);
        if (blocked.isEmpty()) {
            return wanted;
        }
        if (home != null) {
            HomeChecks.requireReachableByPostgres(wanted);
        }
        out.println("Note: PostgreSQL runs as the postgres user, which cannot enter " + blocked.get() + "; the demo uses "
                + FALLBACK_HOME + " instead of " + wanted + ".");
        return new RuntimeHome(FALLBACK_HOME);
    }
}
