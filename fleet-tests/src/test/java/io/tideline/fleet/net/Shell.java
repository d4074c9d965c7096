package io.tideline.fleet.net;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs one short administrative command ({@code ip}, {@code kill}) with a deadline; never hangs the tests.
 */
public final class Shell {

    /** Exit status and the merged output of one command. */
    public record Result(int exitCode, String output) {
        public boolean ok() {
            return exitCode == 0;
        }
    }

    private final Duration timeout;

    public Shell(Duration timeout) {
        this.timeout = timeout;
    }

    public Result run(List<String> command) {
        return run(command, java.util.Map.of());
    }

    /** With extra environment variables (a password must not show in the process list). */
    public Result run(List<String> command, java.util.Map<String, String> environment) {
        Process process;
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            builder.environment().putAll(environment);
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + String.join(" ", command), e);
        }
        try {
            // the output of these commands is small: read it after the exit, within the deadline
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not finish within " + timeout);
            }
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return new Result(process.exitValue(), output.strip());
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + String.join(" ", command), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the output of " + String.join(" ", command), e);
        }
    }

    /** Runs it and fails, quoting its output, unless it exits 0. */
    public String check(List<String> command) {
        Result result = run(command);
        if (!result.ok()) {
            throw new IllegalStateException(String.join(" ", command) + " failed (" + result.exitCode() + "): " + result.output());
        }
        return result.output();
    }
}
