package io.tideline.archiver.basebackup;

import io.tideline.core.ids.BackupId;
import io.tideline.core.postgres.PostgresTls;
import io.tideline.core.registry.RegisteredInstance;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code pg_basebackup} as a child process streaming one tar of the data directory to its stdout,
 * without WAL ({@code -X none}: WAL comes from the archiver's own stream). The replication role's
 * password goes into the child's environment only, never on its command line (visible in {@code ps}).
 * stderr is read on a thread of its own: progress lines ({@code -P}) give the server's size estimate,
 * the rest is logged and the last lines are kept for error messages.
 */
final class PgBaseBackup implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PgBaseBackup.class);
    /** {@code 53768/53768 kB (100%), 0/1 tablespace ...}: printed once a second with {@code -P}. */
    private static final Pattern PROGRESS = Pattern.compile("\\s*(\\d+)/(\\d+) kB.*");
    private static final int KEPT_LINES = 20;
    private static final long STOP_GRACE_SECONDS = 5;

    private final Process process;
    private final Optional<Path> caFile;
    private final Thread stderrReader;
    private final Deque<String> lastLines = new ArrayDeque<>();

    private PgBaseBackup(Process process, Optional<Path> caFile, String name, LongConsumer totalEstimate) {
        this.process = process;
        this.caFile = caFile;
        this.stderrReader = new Thread(() -> readStderr(process.getErrorStream(), totalEstimate), name + "-stderr");
        this.stderrReader.setDaemon(true);
        this.stderrReader.start();
    }

    /**
     * The command line (no secrets on it). {@code --label} puts the backup id into the backup_label,
     * so a data directory restored from it says which backup it came from.
     */
    static List<String> command(BackupSettings settings, RegisteredInstance instance, BackupId backup) {
        List<String> cmd = new ArrayList<>(List.of(
                settings.pgBaseBackup().toString(),
                "--host=" + instance.host(),
                "--port=" + instance.port(),
                "--username=" + instance.replicationUser(),
                "--no-password",
                "--pgdata=-",
                "--format=tar",
                "--wal-method=none",
                "--checkpoint=" + (settings.fastCheckpoint() ? "fast" : "spread"),
                "--label=tideline " + backup.value(),
                "--progress",
                "--verbose"));
        settings.maxRateKbPerSecond().ifPresent(rate -> cmd.add("--max-rate=" + rate + "k"));
        return cmd;
    }

    /** The child's environment: the inherited one without any libpq variable, plus ours. */
    static Map<String, String> environment(Map<String, String> inherited, String password, long connectTimeoutSeconds) {
        Map<String, String> env = new java.util.HashMap<>();
        inherited.forEach((k, v) -> {
            // A PGHOST/PGSSLMODE/PGPASSFILE left in the archiver's environment must not redirect the backup.
            if (!k.startsWith("PG")) {
                env.put(k, v);
            }
        });
        env.put("PGPASSWORD", password);
        env.put("PGCONNECT_TIMEOUT", Long.toString(Math.max(2, connectTimeoutSeconds)));
        env.put("PGAPPNAME", "tideline-basebackup");
        return env;
    }

    /** The server's size estimate of the stream in a {@code -P} line, in bytes. */
    static OptionalLong totalEstimate(String line) {
        Matcher m = PROGRESS.matcher(line);
        if (!m.matches()) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(Long.parseLong(m.group(2)) * 1024);
    }

    static PgBaseBackup start(BackupSettings settings, RegisteredInstance instance, BackupId backup, String password,
                              PostgresTls tls, LongConsumer totalEstimate) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command(settings, instance, backup));
        Map<String, String> env = builder.environment();
        Map<String, String> wanted = environment(Map.copyOf(env), password, settings.connectTimeout().toSeconds());
        // libpq reads the CA from a file: a private copy for this child, removed when it is closed
        Optional<Path> caFile = tls.writeCaFile();
        env.clear();
        env.putAll(wanted);
        env.putAll(tls.libpqEnvironment(caFile));
        builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        try {
            return new PgBaseBackup(builder.start(), caFile, "pg_basebackup-" + backup.value(), totalEstimate);
        } catch (IOException | RuntimeException e) {
            deleteQuietly(caFile);
            throw e;
        }
    }

    private static void deleteQuietly(Optional<Path> file) {
        file.ifPresent(f -> {
            try {
                Files.deleteIfExists(f);
            } catch (IOException e) {
                LOG.debug("could not remove {}: {}", f, e.getMessage());
            }
        });
    }

    /** The tar stream. */
    InputStream stdout() {
        return process.getInputStream();
    }

    /** Waits for the exit code (stderr fully read first, so {@link #lastLines()} is complete). */
    int waitFor(long timeout, TimeUnit unit) throws InterruptedException {
        if (!process.waitFor(timeout, unit)) {
            throw new IllegalStateException("pg_basebackup did not exit within " + timeout + " " + unit.name().toLowerCase()
                    + " after its stream ended");
        }
        stderrReader.join(TimeUnit.SECONDS.toMillis(STOP_GRACE_SECONDS));
        return process.exitValue();
    }

    /** The last lines it wrote to stderr, for a failure's reason. */
    synchronized String lastLines() {
        return String.join(" | ", lastLines);
    }

    /** Stops it if it still runs (the server then aborts the backup on its side). */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(STOP_GRACE_SECONDS, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(STOP_GRACE_SECONDS, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        try {
            process.getInputStream().close();
        } catch (IOException e) {
            // nothing left to read from a stopped child
        }
        deleteQuietly(caFile);
    }

    private void readStderr(InputStream stderr, LongConsumer totalEstimate) {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(stderr, StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                // on a terminal progress lines end in \r; BufferedReader splits on both
                OptionalLong total = totalEstimate(line);
                if (total.isPresent()) {
                    totalEstimate.accept(total.getAsLong());
                    continue;
                }
                if (line.isBlank()) {
                    continue;
                }
                keep(line.strip());
                if (line.contains("WAL archiving is not enabled")) {
                    // expected: Tideline streams WAL itself instead of archive_command
                    LOG.debug("pg_basebackup: {}", line.strip());
                } else {
                    LOG.info("{}", line.strip());
                }
            }
        } catch (IOException e) {
            LOG.debug("stderr of pg_basebackup closed: {}", e.getMessage());
        }
    }

    private synchronized void keep(String line) {
        if (lastLines.size() == KEPT_LINES) {
            lastLines.removeFirst();
        }
        lastLines.addLast(line);
    }
}
