package io.tideline.fleet.hosts;

import io.tideline.core.adoption.ExistingServer;
import io.tideline.core.ids.InstanceId;
import io.tideline.core.instance.InstanceCredentials;
import io.tideline.core.instance.ProvisionedInstance;
import io.tideline.core.secrets.SecretStore;
import io.tideline.fleet.net.Host;
import io.tideline.fleet.net.Shell;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;

/**
 * A database host: PostgreSQL 15 servers Tideline did not make, each started inside the host's namespace
 * as the {@code postgres} OS user and listening on the host's address only (no Unix socket: the hosts share
 * one filesystem), reachable by the fleet's subnet with SCRAM logins. The server's owner sets up the roles
 * Tideline needs (a superuser for checks, a {@code REPLICATION} role, the tenant's role) and registers the server
 * as {@code tideline instance register} does ({@code ServerAdoption}), which puts their passwords into the fleet's
 * secret store. Beside the servers runs the host's restore agent ({@link AgentHost}).
 */
public final class DbHost implements AutoCloseable {

    public static final Path BIN = Path.of("/usr/lib/postgresql/15/bin");
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(90);

    private final Host host;
    private final String subnet;
    private final Path dir;
    private final SecretStore secrets;
    private final Shell shell = new Shell(COMMAND_TIMEOUT);
    private final SecureRandom random = new SecureRandom();
    private final List<Path> dataDirs = new ArrayList<>();

    /**
     * @param subnet the fleet's subnet ({@code 10.231.n.0/24}): who may log in
     */
    public DbHost(Host host, String subnet, Path dir, SecretStore secrets) {
        this.host = host;
        this.subnet = subnet;
        this.dir = dir;
        this.secrets = secrets;
    }

    public Host host() {
        return host;
    }

    /**
     * A new server for instance {@code id} on the host's next port (5432, 5433, ...): made, configured, started, roles
     * created, as its owner would set one up for Tideline. Returned as the owner describes it for registration, with
     * the passwords of its administrative and replication roles: those go into the secret store only when it is
     * registered ({@code ServerAdoption}); the tenant role's is stored now (it is the application's, not Tideline's).
     */
    public synchronized ExistingServer startServer(InstanceId id) {
        int port = 5432 + dataDirs.size();
        Path base = dir.resolve(id.value());
        Path pgdata = base.resolve("pgdata");
        InstanceCredentials credentials = InstanceCredentials.standard(id);
        String adminPassword = newPassword();
        String replicationPassword = newPassword();
        String ownerPassword = newPassword();
        secrets.put(InstanceCredentials.ownerSecret(id), ownerPassword);
        try {
            Files.createDirectories(base);
            Path pwfile = base.resolve("pwfile");
            Files.writeString(pwfile, adminPassword, StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(pwfile, PosixFilePermissions.fromString("rw-------"));
            shell.check(List.of("chown", "-R", "postgres:postgres", base.toString()));
            shell.check(List.of("runuser", "-u", "postgres", "--", BIN.resolve("initdb").toString(), "--pgdata=" + pgdata,
                    "--username=" + credentials.adminUser(), "--pwfile=" + pwfile, "--auth=scram-sha-256", "--encoding=UTF8",
                    "--locale=C", "--data-checksums", "--wal-segsize=1", "--no-instructions"));
            Files.delete(pwfile);
            Files.writeString(pgdata.resolve("postgresql.conf"), String.join("\n", "",
                    "# the database host's own settings (fleet harness)",
                    // the host's address for the fleet; loopback for what runs on the host itself (a local app)
                    "listen_addresses = '" + host.address() + ",127.0.0.1'",
                    "port = " + port,
                    "unix_socket_directories = ''",
                    "wal_level = replica",
                    "max_wal_senders = 10",
                    "max_replication_slots = 10",
                    "archive_mode = off",
                    "fsync = off",
                    "synchronous_commit = on",
                    ""), StandardCharsets.UTF_8, StandardOpenOption.APPEND);
            Files.writeString(pgdata.resolve("pg_hba.conf"), String.join("\n",
                    "# the fleet's subnet only, passwords (SCRAM) always",
                    "host all all " + subnet + " scram-sha-256",
                    "host all all 127.0.0.1/32 scram-sha-256",
                    "host replication " + credentials.replicationUser() + " " + subnet + " scram-sha-256",
                    ""), StandardCharsets.UTF_8);
            dataDirs.add(pgdata);
            shell.check(host.exec(List.of("runuser", "-u", "postgres", "--", BIN.resolve("pg_ctl").toString(), "start",
                    "--pgdata=" + pgdata, "--log=" + base.resolve("server.log"), "--wait", "--timeout=60", "--silent")));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make the server of " + id + " on " + host, e);
        }
        ProvisionedInstance server = new ProvisionedInstance(id, host.address(), port, "postgres", credentials, pgdata, "15");
        try (Connection c = connect(server, credentials.adminUser(), adminPassword); Statement st = c.createStatement()) {
            st.execute("CREATE ROLE " + credentials.replicationUser() + " LOGIN REPLICATION PASSWORD '" + replicationPassword + "'");
            st.execute("CREATE ROLE " + InstanceCredentials.OWNER_USER + " LOGIN PASSWORD '" + ownerPassword + "'");
            st.execute("GRANT CREATE ON SCHEMA public TO " + InstanceCredentials.OWNER_USER);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create the roles on " + id + ": " + e.getMessage(), e);
        }
        return new ExistingServer(host.address(), port, "postgres", credentials.adminUser(), adminPassword,
                credentials.replicationUser(), replicationPassword);
    }

    /**
     * An application on the database host itself: {@code pgbench} inserting rows into {@code table} over the
     * host's loopback at {@code rate} transactions a second for {@code duration}, started now, not waited for
     * (it keeps writing while the host's link is cut). Its output in {@code log}.
     */
    public Process localWriter(ProvisionedInstance server, String table, int rate, Duration duration, Path log) throws IOException {
        Path script = dir.resolve(server.id().value()).resolve("writer.sql");
        Files.writeString(script, "INSERT INTO " + table + " (note) VALUES ('local writer');\n", StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rw-r--r--"));
        ProcessBuilder builder = new ProcessBuilder(host.exec(List.of("runuser", "-u", "postgres", "--",
                BIN.resolve("pgbench").toString(), "-n", "-h", "127.0.0.1", "-p", Integer.toString(server.port()),
                "-U", server.adminUser(), "-T", Long.toString(duration.toSeconds()), "-R", Integer.toString(rate),
                "-f", script.toString(), server.database())))
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("PGPASSWORD", secrets.get(server.adminSecret()));
        return builder.start();
    }

    /** A connection as Tideline's superuser (from the test, through the bridge). */
    public Connection connect(ProvisionedInstance server) throws SQLException {
        return connect(server, server.adminUser(), secrets.get(server.adminSecret()));
    }

    private static Connection connect(ProvisionedInstance server, String user, String password) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", user);
        props.setProperty("password", password);
        props.setProperty("connectTimeout", "10");
        props.setProperty("socketTimeout", "60");
        return DriverManager.getConnection(server.jdbcUrl(), props);
    }

    private String newPassword() {
        byte[] bytes = new byte[18];
        random.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    /** Stops every server (immediate: the data is thrown away after the run). */
    @Override
    public void close() {
        for (Path pgdata : dataDirs) {
            if (Files.exists(pgdata.resolve("postmaster.pid"))) {
                shell.run(host.exec(List.of("runuser", "-u", "postgres", "--", BIN.resolve("pg_ctl").toString(), "stop",
                        "--pgdata=" + pgdata, "--mode=immediate", "--wait", "--timeout=20", "--silent")));
            }
        }
    }
}
