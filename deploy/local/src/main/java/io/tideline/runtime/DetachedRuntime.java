package io.tideline.runtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Starts the runtime in a JVM of its own that outlives the command ({@code tideline up}), and stops
 * it ({@code tideline down}). The JVM runs {@link RuntimeMain} on this JVM's classpath, in a new
 * session ({@code setsid}) so that a Ctrl-C or a closed terminal does not reach it.
 */
public final class DetachedRuntime {

    /** Kafka, S3, the instances and the services; a first start on a slow machine takes a minute. */
    public static final Duration START_TIMEOUT = Duration.ofMinutes(4);
    public static final Duration STOP_TIMEOUT = Duration.ofSeconds(90);
    /** Our logging configuration, named explicitly: a service jar may ship a logback.xml of its own. */
    static final String LOGBACK_CONFIGURATION = "logback.configurationFile";
    static final String CLI_LOGBACK = "tideline-logback.xml";

    private DetachedRuntime() {
    }

    /** What {@link #stop} found and did. */
    public enum StopOutcome { NOT_RUNNING, STOPPED, KILLED }

    /**
     * Starts a runtime on {@code home} and waits until it published {@code runtime.json}.
     *
     * @throws EmbeddedRuntime.RuntimeStartException with the runtime's own reason when it exits or does not come up
     */
    public static RuntimeInfo start(RuntimeHome home, RuntimeOptions options) {
        home.create();
        if (RuntimeInfo.read(home).isPresent()) {
            // Left by a runtime that was killed: it would be mistaken for the new one.
            RuntimeInfo.remove(home);
        }
        List<String> command = new ArrayList<>();
        if (Files.isExecutable(Path.of("/usr/bin/setsid"))) {
            command.add("/usr/bin/setsid");
        }
        command.addAll(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + options.serviceHeap(),
                "-XX:+UseSerialGC",
                "-Djava.awt.headless=true",
                "-D" + LOGBACK_CONFIGURATION + "=" + System.getProperty(LOGBACK_CONFIGURATION, CLI_LOGBACK),
                "-cp", System.getProperty("java.class.path"),
                RuntimeMain.class.getName(),
                "--home", home.root().toString(),
                "--wal-flush-interval", options.walFlushInterval().toMillis() + "ms",
                "--service-heap", options.serviceHeap()));
        options.exitWithPid().ifPresent(pid -> command.addAll(List.of("--exit-with-pid", Long.toString(pid))));
        long logStart = size(home.runtimeLog());
        Process process;
        try {
            process = new ProcessBuilder(command)
                    .directory(home.root().toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(home.runtimeLog().toFile()))
                    .redirectErrorStream(true)
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the runtime JVM", e);
        }
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (true) {
            Optional<RuntimeInfo> info = RuntimeInfo.running(home);
            if (info.isPresent()) {
                return info.get();
            }
            if (!process.isAlive()) {
                throw new EmbeddedRuntime.RuntimeStartException(reason(home, logStart)
                        .orElse("the runtime exited with status " + process.exitValue())
                        + " (log: " + home.runtimeLog() + ")");
            }
            if (System.nanoTime() > deadline) {
                process.destroy();
                throw new EmbeddedRuntime.RuntimeStartException("the runtime did not come up within " + START_TIMEOUT
                        + " (log: " + home.runtimeLog() + ")");
            }
            sleep(200);
        }
    }

    /** SIGTERM to the runtime of {@code home} and wait until it is gone (SIGKILL after {@link #STOP_TIMEOUT}). */
    public static StopOutcome stop(RuntimeHome home) {
        Optional<RuntimeInfo> info = RuntimeInfo.read(home);
        if (info.isEmpty()) {
            return StopOutcome.NOT_RUNNING;
        }
        Optional<ProcessHandle> process = ProcessHandle.of(info.get().pid()).filter(ProcessHandle::isAlive);
        if (process.isEmpty()) {
            RuntimeInfo.remove(home);
            return StopOutcome.NOT_RUNNING;
        }
        process.get().destroy();
        if (await(process.get(), STOP_TIMEOUT)) {
            return StopOutcome.STOPPED;
        }
        // Its Kafka and S3 processes follow it (their watchdogs); its instances keep running (ManagedInstances).
        process.get().destroyForcibly();
        await(process.get(), Duration.ofSeconds(10));
        RuntimeInfo.remove(home);
        return StopOutcome.KILLED;
    }

    private static boolean await(ProcessHandle process, Duration timeout) {
        try {
            process.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            return !process.isAlive();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !process.isAlive();
        }
    }

    /** The runtime's own one-line reason ("tideline runtime: ..."), from what it wrote since {@code offset}. */
    private static Optional<String> reason(RuntimeHome home, long offset) {
        try {
            byte[] all = Files.readAllBytes(home.runtimeLog());
            String text = new String(all, (int) Math.min(offset, all.length), (int) Math.max(0, all.length - offset),
                    StandardCharsets.UTF_8);
            return text.lines().filter(l -> l.startsWith("tideline runtime: "))
                    .map(l -> l.substring("tideline runtime: ".length())).reduce((a, b) -> b);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static long size(Path file) {
        try {
            return Files.exists(file) ? Files.size(file) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the runtime", e);
        }
    }
}
