package io.tideline.processes;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A server process that cannot outlive the JVM that started it, not even when that JVM is
 * killed with {@code SIGKILL} (a shutdown hook does not run then).
 *
 * <p>The command runs under a small bash watchdog, the direct child of this JVM:
 * <ul>
 *   <li>the watchdog polls its own parent pid; when this JVM dies, the kernel re-parents the
 *       watchdog (to init or a subreaper), so the pid changes (immune to pid reuse), and the
 *       watchdog stops the server: {@code SIGTERM}, then {@code SIGKILL} after a grace period;</li>
 *   <li>the server itself is started through {@code setpriv --pdeathsig TERM}, so if the watchdog
 *       is killed, the kernel signals the server too. The death signal is bound to the watchdog
 *       (single-threaded bash), never to a JVM thread, whose exit would fire it early.</li>
 * </ul>
 * The death signal is armed only once setpriv has run, a few milliseconds after the fork; a
 * watchdog killed inside that window leaves the server to {@link #stop}. The JVM-death path does
 * not depend on it.
 * Output of both goes to {@code logFile} (appended), so a failed start can quote its tail.
 */
public final class WatchedProcess {

    /** How long the watchdog lets the server shut down after this JVM died, before SIGKILL. */
    private static final int ORPHAN_GRACE_TENTHS = 100;

    // $0 = watchdog name, $1 = log file, $2 = grace in tenths of a second, rest = the command.
    // The only line the watchdog writes to its stdout (a pipe to this JVM) is the server's pid.
    private static final String WATCHDOG = """
            parent=$PPID
            log=$1
            grace=$2
            shift 2
            exec 4>&1 </dev/null >>"$log" 2>&1
            setpriv --pdeathsig TERM -- "$@" 4>&- &
            child=$!
            echo "$child" >&4
            exec 4>&-
            trap 'kill -TERM "$child" 2>/dev/null' TERM INT HUP
            while kill -0 "$child" 2>/dev/null; do
              read -r _ _ _ ppid _ < /proc/$$/stat
              if [ "$ppid" != "$parent" ]; then
                echo "watchdog: parent $parent is gone, stopping $child"
                kill -TERM "$child" 2>/dev/null
                i=0
                while [ $i -lt "$grace" ] && kill -0 "$child" 2>/dev/null; do sleep 0.1; i=$((i+1)); done
                kill -KILL "$child" 2>/dev/null
                exit 1
              fi
              sleep 0.5 & wait $!
            done
            wait "$child"
            """;

    private final String name;
    private final Process watchdog;
    // Empty when the command had already exited by the time its pid was read.
    private final Optional<ProcessHandle> server;
    private final Path logFile;

    private WatchedProcess(String name, Process watchdog, Optional<ProcessHandle> server, Path logFile) {
        this.name = name;
        this.watchdog = watchdog;
        this.server = server;
        this.logFile = logFile;
    }

    /**
     * Starts {@code command} in {@code workDir} with stdout and stderr appended to {@code logFile}.
     *
     * @param name for messages, e.g. "kafka broker"
     */
    public static WatchedProcess start(String name, List<String> command, Path workDir, Path logFile) {
        return start(name, command, Map.of(), workDir, logFile);
    }

    /**
     * As {@link #start(String, List, Path, Path)}, with extra environment variables (e.g. a secret
     * that must not show in the process list).
     */
    public static WatchedProcess start(String name, List<String> command, Map<String, String> environment,
                                       Path workDir, Path logFile) {
        Path log = logFile.toAbsolutePath();
        List<String> full = new ArrayList<>(List.of("bash", "-c", WATCHDOG, "tideline-watchdog",
                log.toString(), Integer.toString(ORPHAN_GRACE_TENTHS)));
        full.addAll(command);
        Process watchdog;
        try {
            Files.createDirectories(log.getParent());
            ProcessBuilder builder = new ProcessBuilder(full);
            builder.environment().putAll(environment);
            watchdog = builder
                    .directory(workDir.toFile())
                    .redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name, e);
        }
        return new WatchedProcess(name, watchdog, readServerPid(name, watchdog, log), log);
    }

    private static Optional<ProcessHandle> readServerPid(String name, Process watchdog, Path log) {
        String line;
        try (BufferedReader out = new BufferedReader(
                new InputStreamReader(watchdog.getInputStream(), StandardCharsets.US_ASCII))) {
            line = out.readLine();
        } catch (IOException e) {
            watchdog.destroyForcibly();
            throw new UncheckedIOException("cannot read the pid of " + name + " from its watchdog", e);
        }
        if (line == null) {
            // The watchdog failed before forking: its log says why.
            watchdog.destroyForcibly();
            throw new IllegalStateException(name + " could not be started; " + tail(log, 40));
        }
        // A short command may be gone already; awaitExit still reports its status.
        return ProcessHandle.of(Long.parseLong(line.strip()));
    }

    /** The server process (not the watchdog); empty if it exited before it could be looked up. */
    public Optional<ProcessHandle> server() {
        return server;
    }

    public boolean isAlive() {
        return server.map(ProcessHandle::isAlive).orElse(false);
    }

    public Path logFile() {
        return logFile;
    }

    /** Waits for the server to exit by itself; its exit status, or empty on timeout. */
    public Optional<Integer> awaitExit(Duration timeout) {
        try {
            if (watchdog.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                return Optional.of(watchdog.exitValue());
            }
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + name, e);
        }
    }

    /** SIGTERM, and SIGKILL if the server has not exited within {@code grace}. Idempotent. */
    public void stop(Duration grace) {
        if (isAlive()) {
            ProcessHandle handle = server.get();
            handle.destroy();
            if (!awaitHandle(handle, grace)) {
                handle.destroyForcibly();
                awaitHandle(handle, Duration.ofSeconds(10));
            }
        }
        // The watchdog leaves as soon as its server is gone.
        if (awaitExit(Duration.ofSeconds(5)).isEmpty()) {
            watchdog.destroyForcibly();
        }
    }

    private static boolean awaitHandle(ProcessHandle handle, Duration timeout) {
        try {
            handle.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            return !handle.isAlive();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !handle.isAlive();
        }
    }

    /** The last lines of the log, for error messages. */
    public String logTail(int lines) {
        return tail(logFile, lines);
    }

    static String tail(Path logFile, int lines) {
        try {
            if (!Files.exists(logFile)) {
                return "(no log at " + logFile + ")";
            }
            List<String> all = Files.readAllLines(logFile, StandardCharsets.UTF_8);
            List<String> last = all.subList(Math.max(0, all.size() - lines), all.size());
            return "last lines of " + logFile + ":\n" + String.join("\n", last);
        } catch (IOException | UncheckedIOException e) {
            return "(cannot read " + logFile + ": " + e.getMessage() + ")";
        }
    }

    @Override
    public String toString() {
        return name + server.map(h -> " (pid " + h.pid() + ")").orElse(" (exited)");
    }
}
