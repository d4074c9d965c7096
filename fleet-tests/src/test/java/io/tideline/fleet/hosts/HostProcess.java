package io.tideline.fleet.hosts;

import io.tideline.fleet.net.Host;
import io.tideline.processes.WatchedProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A server process started inside a host's namespace ({@code ip netns exec}), under the processes
 * module's {@link WatchedProcess}, so it dies with the test JVM; its output in {@code logFile}. Public for
 * what later runs on a host (e.g. a {@code tideline agent} on a database host).
 */
public final class HostProcess {

    private final String name;
    private final Host host;
    private final List<String> command;
    private final Map<String, String> environment;
    private final Path workDir;
    private final Path logFile;
    private WatchedProcess process;

    public HostProcess(String name, Host host, List<String> command, Map<String, String> environment, Path workDir, Path logFile) {
        this.name = name;
        this.host = host;
        this.command = List.copyOf(command);
        this.environment = Map.copyOf(environment);
        this.workDir = workDir;
        this.logFile = logFile;
    }

    public synchronized void start() {
        if (!isAlive()) {
            process = WatchedProcess.start(name + " on " + host.name(), host.exec(command), environment, workDir, logFile);
        }
    }

    public synchronized boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** SIGKILL, as a crash or a power cut would end it; waits until it is gone. */
    public synchronized void kill() {
        if (process != null) {
            Optional<ProcessHandle> server = process.server();
            server.ifPresent(ProcessHandle::destroyForcibly);
            process.stop(Duration.ofSeconds(10));
            process = null;
        }
    }

    /** SIGTERM, SIGKILL after {@code grace}. */
    public synchronized void stop(Duration grace) {
        if (process != null) {
            process.stop(grace);
            process = null;
        }
    }

    public String logTail() {
        return process == null ? WatchedProcessTail.of(logFile) : process.logTail(40);
    }

    public Path logFile() {
        return logFile;
    }

    /** The tail of a log whose process is gone. */
    static final class WatchedProcessTail {
        private WatchedProcessTail() {
        }

        static String of(Path log) {
            try {
                List<String> lines = java.nio.file.Files.readAllLines(log);
                return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
            } catch (java.io.IOException e) {
                return "(no log at " + log + ")";
            }
        }
    }
}
