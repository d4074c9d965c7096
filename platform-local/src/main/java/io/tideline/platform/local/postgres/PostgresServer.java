package io.tideline.platform.local.postgres;

import io.tideline.core.ids.InstanceId;
import io.tideline.core.instance.InstanceOperationException;
import io.tideline.core.instance.InstanceSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PostgreSQL server as a process: {@code initdb}, {@code pg_ctl start/stop/status} with the
 * machine's binaries, each run as the instance's {@link ServerUser} and bounded in time. Knows nothing of ports,
 * passwords or records.
 */
final class PostgresServer {

    private static final Logger LOG = LoggerFactory.getLogger(PostgresServer.class);
    private static final Pattern VERSION = Pattern.compile("\\(PostgreSQL\\) (\\d+(?:\\.\\d+)?)");
    private static final List<String> TOOLS = List.of("initdb", "pg_ctl", "postgres");

    /** How {@code pg_ctl stop} ends the server. */
    enum Shutdown {
        /** Lets the server finish a shutdown checkpoint. */
        FAST("fast"),
        /** No checkpoint: for data that is going away, or a server that would not stop otherwise. */
        IMMEDIATE("immediate");

        private final String mode;

        Shutdown(String mode) {
            this.mode = mode;
        }
    }

    private final LocalPostgresConfig config;
    private final CommandRunner runner = new CommandRunner(Path.of("/"));
    private volatile String binaryVersion;

    PostgresServer(LocalPostgresConfig config) {
        this.config = config;
    }

    /** Fails, saying what to install, when a binary is missing. */
    void requireBinaries() {
        for (String tool : TOOLS) {
            Path path = config.binDir().resolve(tool);
            if (!Files.isExecutable(path)) {
                throw new IllegalStateException("PostgreSQL binary " + path + " not found: install PostgreSQL 15 "
                        + "(apt-get install postgresql-15) or configure the bin directory");
            }
        }
    }

    /** The version of the binaries, e.g. {@code 15.18}; asked once. */
    String version() {
        String v = binaryVersion;
        if (v == null) {
            CommandRunner.Result result = runner.runChecked("asking the PostgreSQL version", List.of(bin("postgres"), "--version"),
                    config.commandTimeout(), Map.of());
            Matcher m = VERSION.matcher(result.stdout());
            if (!m.find()) {
                throw new InstanceOperationException("cannot tell the version of " + bin("postgres") + " from: " + result.stdout());
            }
            v = m.group(1);
            binaryVersion = v;
        }
        return v;
    }

    /** The major version of the binaries, e.g. {@code 15}: what a data directory must have been made by. */
    String majorVersion() {
        return version().split("\\.")[0];
    }

    /** Makes a cluster in the directory's empty {@code pgdata/}, with SCRAM logins for {@code adminUser}. */
    void initdb(InstanceId id, InstanceDirectory dir, String adminUser, String adminPassword, InstanceSpec spec)
            throws IOException {
        Path pwfile = dir.writeInitdbPasswordFile(adminPassword);
        try {
            runner.runChecked("initdb for instance " + id, dir.serverUser().command(List.of(bin("initdb"),
                    "--pgdata=" + dir.dataDir(),
                    "--username=" + adminUser,
                    "--pwfile=" + pwfile,
                    "--auth=scram-sha-256",
                    "--encoding=UTF8",
                    "--locale=C",
                    "--data-checksums",
                    "--wal-segsize=" + spec.walSegmentSizeMb(),
                    "--no-instructions")), config.commandTimeout(), Map.of());
        } finally {
            Files.deleteIfExists(pwfile);
        }
    }

    /**
     * {@code pg_ctl start}: with {@code waitReady} until the server says it is ready, else without
     * waiting. A non-zero exit is returned, not thrown: the caller reads the log to tell why.
     */
    CommandRunner.Result start(InstanceId id, InstanceDirectory dir, boolean waitReady) {
        List<String> command = new ArrayList<>(List.of(bin("pg_ctl"), "start", "--pgdata=" + dir.dataDir(),
                "--log=" + dir.log().file(), "--silent"));
        if (waitReady) {
            command.addAll(List.of("--wait", "--timeout=" + config.startTimeout().toSeconds()));
        } else {
            command.add("--no-wait");
        }
        return runner.run("starting instance " + id, dir.serverUser().command(command), config.startTimeout().plusSeconds(15), Map.of());
    }

    /**
     * Without waiting for readiness, waits at least until {@code pg_ctl status} sees the postmaster
     * (its PID file written and the process alive), so that a later "not running" means it stopped,
     * not that it has not begun. A server that refuses its configuration never gets that far: its
     * FATAL line in the log ends the wait early.
     */
    boolean awaitRunning(InstanceId id, InstanceDirectory dir, long logOffset) {
        Deadline deadline = Deadline.after(config.startTimeout());
        while (!isRunning(id, dir)) {
            String newLog = dir.log().since(logOffset);
            if (deadline.passed() || newLog.contains("FATAL:") || newLog.contains("PANIC:")) {
                return false;
            }
            Deadline.pause(Duration.ofMillis(50));
        }
        return true;
    }

    /** Stops the server if it runs; a fast shutdown that fails is made immediate. */
    void stop(InstanceId id, InstanceDirectory dir, Shutdown shutdown) {
        if (!isRunning(id, dir)) {
            return;
        }
        CommandRunner.Result result = runner.run("stopping instance " + id, dir.serverUser().command(List.of(bin("pg_ctl"), "stop",
                "--pgdata=" + dir.dataDir(), "--mode=" + shutdown.mode, "--wait", "--timeout=" + config.stopTimeout().toSeconds(),
                "--silent")), config.stopTimeout().plusSeconds(15), Map.of());
        if (result.ok() || !isRunning(id, dir)) {
            return;
        }
        if (shutdown != Shutdown.IMMEDIATE) {
            LOG.warn("{} shutdown of instance {} failed ({}); shutting down immediately", shutdown.mode, id, result.output());
            stop(id, dir, Shutdown.IMMEDIATE);
            return;
        }
        throw new InstanceOperationException("instance " + id + " did not stop:\n" + result.output() + dir.log().tail());
    }

    /**
     * Writes every file of the stopped instance's data directory to disk ({@code initdb --sync-only}: PostgreSQL's
     * own walk, flush hints first, then an fsync per file): after a recovery with {@code fsync=off} the server's
     * checkpoints no longer know which files hold unflushed writes. Only this instance's files, unlike {@code syncfs}.
     */
    void syncDataDir(InstanceId id, InstanceDirectory dir) {
        runner.runChecked("syncing the data directory of instance " + id, dir.serverUser().command(List.of(bin("initdb"),
                "--sync-only", "--pgdata=" + dir.dataDir())), config.commandTimeout(), Map.of());
    }

    boolean isRunning(InstanceId id, InstanceDirectory dir) {
        CommandRunner.Result status = null;
        for (int attempt = 0; attempt < 50; attempt++) {
            if (!dir.hasPidFile()) {
                return false;
            }
            // pg_ctl also checks that the PID in the file is alive, so a stale file after a crash reads as stopped.
            status = runner.run("status of instance " + id,
                    dir.serverUser().command(List.of(bin("pg_ctl"), "status", "--pgdata=" + dir.dataDir())), config.commandTimeout(), Map.of());
            if (status.exitCode() == 0) {
                return true;
            }
            if (status.exitCode() == 3) {
                return false;
            }
            // 1: the PID file is empty or half-written because the postmaster is just starting or
            // stopping (its lock file is created before it is filled): ask again in a moment.
            Deadline.pause(Duration.ofMillis(20));
        }
        throw new InstanceOperationException("cannot tell whether instance " + id + " runs: pg_ctl status exited with "
                + status.exitCode() + ":\n" + status.output());
    }

    private String bin(String tool) {
        return config.binDir().resolve(tool).toString();
    }
}
