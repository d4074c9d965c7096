package io.tideline.processes;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Makes sure no PostgreSQL server of a test run outlives the test JVM, even one killed with
 * {@code kill -9}. A postmaster started by {@code pg_ctl} is not our child (it detaches into its own
 * session), so it does not die with us. This starts a tiny shell process, in a session of its own
 * so a Ctrl-C to the build does not take it down, that blocks reading a pipe from this JVM. The
 * kernel closes that pipe however the JVM ends; the shell then stops, with {@code pg_ctl stop -m
 * immediate}, every cluster still running under the instances directory.
 *
 * <p>A normal end of the run destroys the clusters first and then closes the pipe, so the sweep
 * finds nothing; after a crash it finds everything. No list of clusters is kept: the instances
 * directory belongs to this JVM's test home, so whatever runs there is ours.
 *
 * <p>The test fixtures tie their clusters to their JVM with it. The embedded runtime
 * ({@code deploy/local}) deliberately does not: its instances are customers' databases and outlive
 * it, however it ends.
 */
public final class PostgresWatchdog implements AutoCloseable {

    private static final String SCRIPT = """
            trap '' INT HUP
            cat >/dev/null
            for pgdata in "$1"/*/pgdata; do
              [ -f "$pgdata/postmaster.pid" ] || continue
              echo "postgres watchdog: the test JVM is gone, stopping $pgdata"
              if [ -n "$3" ]; then
                # Each instance runs as the user that owns its data directory (its own, or the older shared one).
                owner=$(stat -c %U "$pgdata")
                runuser -u "$owner" -- "$2" stop -D "$pgdata" -m immediate -w -t 30
              else
                "$2" stop -D "$pgdata" -m immediate -w -t 30
              fi
            done
            """;

    private final Process process;
    private final OutputStream lifeline;

    private PostgresWatchdog(Process process) {
        this.process = process;
        this.lifeline = process.getOutputStream();
    }

    /**
     * @param serverUser present when the servers run as other users than ours (we are root): each is then
     *                   stopped as the owner of its data directory, which is the user it runs as
     */
    public static PostgresWatchdog start(Path instancesDir, Path pgCtl, Optional<String> serverUser, Path logFile) {
        List<String> command = new ArrayList<>();
        if (Files.isExecutable(Path.of("/usr/bin/setsid"))) {
            command.add("/usr/bin/setsid");
        }
        command.addAll(List.of("/bin/sh", "-c", SCRIPT, "tideline-postgres-watchdog",
                instancesDir.toString(), pgCtl.toString(), serverUser.orElse("")));
        try {
            Files.createDirectories(logFile.getParent());
            // Output into a file, never a pipe to us: writing to a dead JVM's pipe would kill the shell (SIGPIPE).
            Process process = new ProcessBuilder(command)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                    .redirectError(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                    .start();
            return new PostgresWatchdog(process);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the PostgreSQL watchdog", e);
        }
    }

    public long pid() {
        return process.pid();
    }

    /** Lets the watchdog sweep (it finds nothing once the clusters are destroyed) and exit. */
    @Override
    public void close() {
        try {
            lifeline.close();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (IOException e) {
            process.destroyForcibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
