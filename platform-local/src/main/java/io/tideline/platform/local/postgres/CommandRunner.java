package io.tideline.platform.local.postgres;

import io.tideline.core.instance.InstanceOperationException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a command to completion within a time limit. Output goes to temporary files rather than
 * pipes: {@code pg_ctl start} leaves a server running, and a pipe inherited by a long-lived
 * grandchild would block a reader forever.
 */
final class CommandRunner {

    /** The outcome of a finished command. */
    record Result(List<String> command, int exitCode, String stdout, String stderr) {
        boolean ok() {
            return exitCode == 0;
        }

        /** Both streams, trimmed to their ends: what a person needs to see in an error. */
        String output() {
            String both = (stdout.strip() + "\n" + stderr.strip()).strip();
            return tail(both, 40);
        }
    }

    private final Path workDir;

    CommandRunner(Path workDir) {
        this.workDir = workDir;
    }

    /** Runs {@code command}; a timeout or failure to launch throws, a non-zero exit is returned. */
    Result run(String step, List<String> command, Duration timeout, Map<String, String> environment) {
        Path out = null;
        Path err = null;
        Process process = null;
        try {
            out = Files.createTempFile("tideline-cmd-", ".out");
            err = Files.createTempFile("tideline-cmd-", ".err");
            ProcessBuilder builder = new ProcessBuilder(command)
                    .directory(workDir.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile());
            builder.environment().putAll(environment);
            process = builder.start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
                throw new InstanceOperationException(step + ": " + String.join(" ", command) + " did not finish within "
                        + timeout.toSeconds() + " s; output so far:\n" + tail(read(out) + read(err), 40));
            }
            return new Result(command, process.exitValue(), read(out), read(err));
        } catch (IOException e) {
            throw new InstanceOperationException(step + ": cannot run " + String.join(" ", command) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            if (process != null) {
                process.destroyForcibly();
            }
            throw new InstanceOperationException(step + ": interrupted while running " + String.join(" ", command), e);
        } finally {
            deleteQuietly(out);
            deleteQuietly(err);
        }
    }

    /** Runs {@code command} and throws, with its output, unless it exits 0. */
    Result runChecked(String step, List<String> command, Duration timeout, Map<String, String> environment) {
        Result result = run(step, command, timeout, environment);
        if (!result.ok()) {
            throw new InstanceOperationException(step + ": " + String.join(" ", command) + " exited with "
                    + result.exitCode() + ":\n" + result.output());
        }
        return result;
    }

    private static String read(Path file) throws IOException {
        // Lenient decoding: a stray byte in a tool's output must not hide the error it reports.
        return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
    }

    private static void deleteQuietly(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // a leftover temp file is harmless
            }
        }
    }

    /** The last {@code lines} lines of {@code text}. */
    static String tail(String text, int lines) {
        String[] all = text.split("\n", -1);
        int from = Math.max(0, all.length - lines);
        return String.join("\n", java.util.Arrays.copyOfRange(all, from, all.length));
    }
}
