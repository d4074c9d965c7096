package io.tideline.cli;

import io.tideline.runtime.Logging;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * The {@code tideline} command (run by {@code ./tideline} at the repository root). Each subcommand is
 * a thin class that parses its arguments and calls plain classes; failures become one line on stderr
 * and an exit status from {@link ExitCodes} ({@link ErrorReporting}).
 */
@Command(name = "tideline",
        mixinStandardHelpOptions = true,
        versionProvider = TidelineCli.Version.class,
        description = "Backups and point-in-time recovery for managed PostgreSQL instances.",
        subcommands = {
                DemoCommand.class,
                UpCommand.class,
                DownCommand.class,
                StatusCommand.class,
                InstanceCommand.class,
                BackupNowCommand.class,
                BackupsCommand.class,
                ChangesCommand.class,
                RestoreCommand.class,
                RestoresCommand.class,
                RestorePointCommand.class,
                AuditCommand.class,
                VerifyCommand.class,
                AgentCommand.class,
                LoginCommand.class,
                LogoutCommand.class,
                UserCommand.class,
                CommandLine.HelpCommand.class},
        footer = {"", "Exit status: 0 ok, 1 failure, 2 usage error, 3 runtime not running or not answering, 4 refused or failed "
                + "(backup failed, restore rejected or failed, a check failed)."})
public final class TidelineCli implements Runnable {

    private final Map<String, String> environment;
    private final Clock clock;
    private final boolean interactive;
    private final boolean ownsLogging;

    @Spec
    CommandSpec spec;

    @Option(names = {"-v", "--verbose"}, scope = ScopeType.INHERIT,
            description = "Log what happens to stderr, and show the stack trace of a failure.")
    boolean verbose;

    /**
     * @param environment where {@code TIDELINE_*} variables are read (tests pass their own)
     * @param interactive stderr is a terminal: progress bars are redrawn in place
     * @param ownsLogging this JVM is the command's own (not a test's): the command may route logging
     */
    public TidelineCli(Map<String, String> environment, Clock clock, boolean interactive, boolean ownsLogging) {
        this.environment = Map.copyOf(environment);
        this.clock = Objects.requireNonNull(clock, "clock");
        this.interactive = interactive;
        this.ownsLogging = ownsLogging;
    }

    public static void main(String[] args) {
        TidelineCli cli = new TidelineCli(System.getenv(), Clock.systemUTC(), System.console() != null, true);
        CommandLine commandLine = commandLine(cli);
        commandLine.setExecutionStrategy(parseResult -> {
            if (cli.verboseIn(parseResult)) {
                Logging.toStderr();
            } else {
                Logging.off();
            }
            return new CommandLine.RunLast().execute(parseResult);
        });
        System.exit(commandLine.execute(args));
    }

    /** The command line with Tideline's error reporting; {@code execute(args)} returns the exit status. */
    public static CommandLine commandLine(TidelineCli cli) {
        ErrorReporting errors = new ErrorReporting();
        return new CommandLine(cli)
                .setExecutionExceptionHandler(errors)
                .setParameterExceptionHandler(errors)
                .setCaseInsensitiveEnumValuesAllowed(true);
    }

    /** As {@link #commandLine(TidelineCli)}, writing to {@code out} and {@code err} (tests capture them). */
    public static CommandLine commandLine(TidelineCli cli, PrintWriter out, PrintWriter err) {
        return commandLine(cli).setOut(out).setErr(err);
    }

    /** The root command object of the command that {@code spec} belongs to. */
    static TidelineCli of(CommandSpec spec) {
        return (TidelineCli) spec.root().userObject();
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public Map<String, String> environment() {
        return environment;
    }

    public Clock clock() {
        return clock;
    }

    public boolean interactive() {
        return interactive;
    }

    public boolean ownsLogging() {
        return ownsLogging;
    }

    /** True when {@code --verbose} was given anywhere on the command line being executed. */
    public boolean verbose() {
        return verboseIn(spec.commandLine().getParseResult());
    }

    private boolean verboseIn(CommandLine.ParseResult result) {
        for (CommandLine.ParseResult r = result; r != null; r = r.subcommand()) {
            if (r.hasMatchedOption("--verbose")) {
                return true;
            }
        }
        return false;
    }

    /** The version from the jar's manifest, when built as a jar. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = TidelineCli.class.getPackage().getImplementationVersion();
            return new String[] {"tideline " + (version == null ? "(development build)" : version)};
        }
    }
}
