package io.tideline.flows;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A PostgreSQL 15 server Tideline did not make — its own {@code initdb}, its own configuration, run with
 * {@code pg_ctl} as the {@code postgres} OS user — for the tests of adopting existing servers. Its bootstrap
 * superuser is {@link #ADMIN}; the test configures it like an owner would (or would get wrong).
 */
final class ExistingPostgres implements AutoCloseable {

    static final String ADMIN = "site_admin";
    private static final Path BIN = Path.of("/usr/lib/postgresql/15/bin");
    private static final String OS_USER = "postgres";

    private final Path root;
    private final Path data;
    private final int port;
    private final String adminPassword;

    private ExistingPostgres(Path root, int port, String adminPassword) {
        this.root = root;
        this.data = root.resolve("data");
        this.port = port;
        this.adminPassword = adminPassword;
    }

    /** initdb with data checksums and scram-sha-256, not started. */
    static ExistingPostgres init(String adminPassword) throws IOException, InterruptedException {
        Path root = Files.createTempDirectory("tideline-existing-");
        ExistingPostgres pg = new ExistingPostgres(root, freePort(), adminPassword);
        Path pwfile = root.resolve("pwfile");
        Files.writeString(pwfile, adminPassword + "\n");
        run("chown", "-R", OS_USER + ":" + OS_USER, root.toString());
        run("chmod", "0755", root.toString());
        asPostgres(BIN.resolve("initdb").toString(), "-D", pg.data.toString(), "-U", ADMIN, "--pwfile=" + pwfile,
                "--auth=scram-sha-256", "--locale=C", "-E", "UTF8", "--data-checksums");
        Files.delete(pwfile);
        return pg;
    }

    int port() {
        return port;
    }

    /** Replaces pg_hba.conf with these lines (the server must be reloaded or restarted to see them). */
    void hba(String... lines) throws IOException, InterruptedException {
        write(data.resolve("pg_hba.conf"), String.join("\n", lines) + "\n");
    }

    /** The settings the test gives the server, on top of initdb's postgresql.conf (restart to apply). */
    void settings(String walLevel, int maxWalSenders) throws IOException, InterruptedException {
        write(data.resolve("postgresql.auto.conf"), "port = " + port + "\nlisten_addresses = '127.0.0.1'\n"
                + "unix_socket_directories = '" + root + "'\nwal_level = " + walLevel + "\nmax_wal_senders = " + maxWalSenders
                + "\nmax_replication_slots = 10\nlog_min_messages = warning\n");
    }

    void start() throws IOException, InterruptedException {
        asPostgres(BIN.resolve("pg_ctl").toString(), "-D", data.toString(), "-l", root.resolve("server.log").toString(),
                "-w", "-t", "60", "start");
    }

    void stop() throws IOException, InterruptedException {
        asPostgres(BIN.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "fast", "-w", "-t", "60", "stop");
    }

    void restart() throws IOException, InterruptedException {
        stop();
        start();
    }

    Connection connect() throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", ADMIN, adminPassword);
    }

    /** Stops the server if it runs and deletes every file of it. */
    @Override
    public void close() throws IOException, InterruptedException {
        if (Files.exists(data.resolve("postmaster.pid"))) {
            asPostgres(BIN.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "immediate", "-w", "stop");
        }
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void write(Path file, String text) throws IOException, InterruptedException {
        Files.writeString(file, text, StandardCharsets.UTF_8);
        run("chown", OS_USER + ":" + OS_USER, file.toString());
    }

    private static void asPostgres(String... command) throws IOException, InterruptedException {
        List<String> all = new ArrayList<>(List.of("runuser", "-u", OS_USER, "--"));
        all.addAll(List.of(command));
        run(all.toArray(String[]::new));
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out;
        try (var in = p.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", command) + " failed: " + out);
        }
    }
}
