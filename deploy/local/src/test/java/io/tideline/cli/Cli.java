package io.tideline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Runs the tideline command in this JVM, as a user would type it, and captures what it prints. */
final class Cli {

    private final Map<String, String> environment;
    private final Clock clock;

    Cli(Map<String, String> environment) {
        this(environment, Clock.systemUTC());
    }

    Cli(Map<String, String> environment, Clock clock) {
        this.environment = environment;
        this.clock = clock;
    }

    /**
     * The answer timeout of the tests' commands: the product's default (10 s, for a person at a terminal) is waited
     * out by a first API call on a loaded CI machine (TLS, lazy beans, hashing a password) and failed a run of
     * CliEndToEndIT's sign-in. A test of the deadline itself sets its own short one (CliEndToEndIT's QUICK_CLI).
     */
    static final Map<String, String> PATIENT = Map.of(NoAnswer.TIMEOUT_ENV, "60s");

    /** {@link #PATIENT}, on the system clock. */
    static Cli patient() {
        return new Cli(PATIENT);
    }

    record Result(int exitCode, String out, String err) {

        List<String> errLines() {
            return err.lines().filter(l -> !l.isBlank()).toList();
        }

        /** Exit status {@code code} and exactly one line on stderr, {@code tideline: ...containing...}, no stack trace. */
        Result assertOneLineError(int code, String containing) {
            assertEquals(code, exitCode, () -> "exit status; stdout:\n" + out + "\nstderr:\n" + err);
            List<String> lines = errLines();
            assertEquals(1, lines.size(), () -> "one line on stderr, got:\n" + err);
            assertTrue(lines.get(0).startsWith("tideline: "), () -> "stderr starts with 'tideline: ': " + err);
            assertTrue(lines.get(0).contains(containing), () -> "stderr mentions '" + containing + "': " + err);
            assertFalse(err.contains("Exception") || err.contains("\tat "), () -> "no stack trace: " + err);
            return this;
        }

        Result assertOk() {
            assertEquals(ExitCodes.OK, exitCode, () -> "exit status; stdout:\n" + out + "\nstderr:\n" + err);
            return this;
        }
    }

    Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        TidelineCli cli = new TidelineCli(environment, clock, false, false);
        int code = TidelineCli.commandLine(cli, new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    /** {@code args} followed by {@code --home home}. */
    Result run(java.nio.file.Path home, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--home");
        all.add(home.toString());
        return run(all.toArray(String[]::new));
    }
}
