package io.tideline.core.instance;

import io.tideline.core.ids.InstanceId;
import io.tideline.core.secrets.SecretStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs PostgreSQL clusters on this machine with its own binaries ({@code initdb}, {@code pg_ctl}).
 *
 * <p>Layout: {@code <home>/instances/<id>/} holds {@code instance.json} (port, roles, secret
 * references: what another process needs to find the instance), {@code pgdata/} (the cluster,
 * owned by the server's OS user, mode 0700) and {@code postgres.log} (the server's log, outside the
 * data directory so base backups do not carry it); an instance allocated for a restore also has
 * {@code wal-spool/} ({@link WalSpool}: WAL handed to the recovering server ahead of its asking).
 *
 * <p>When the caller is root, every server command runs as the configured OS user through
 * {@code runuser}, because PostgreSQL refuses to run as root; files this class writes into a data
 * directory are handed to that user.
 *
 * <p>Servers listen on 127.0.0.1 only, on a free port picked at creation (and picked again at start
 * if something else took it meanwhile), and have no Unix socket: socket paths under a long home
 * directory exceed the 107-byte limit, and the default socket directory may not exist.
 */
public final class LocalPostgresProvisioner implements InstanceProvisioner {

    private static final Logger LOG = LoggerFactory.getLogger(LocalPostgresProvisioner.class);

    public static final String HOST = "127.0.0.1";
    public static final String DATABASE = "postgres";
    static final String DATA_DIR = "pgdata";
    static final String LOG_FILE = "postgres.log";
    static final String WAL_SPOOL_DIR = "wal-spool";
    private static final int START_ATTEMPTS = 3;
    private static final int LOG_TAIL_LINES = 30;
    /** Part of every restore's time to promotion, so short: a login attempt on loopback costs little. */
    private static final Duration POLL_INTERVAL = Duration.ofMillis(100);
    private static final Pattern VERSION = Pattern.compile("\\(PostgreSQL\\) (\\d+(?:\\.\\d+)?)");

    /**
     * Settings every instance gets. Memory is kept small: a machine runs many of these next to
     * Kafka and the services. Replication settings are what Tideline's archiver needs.
     */
    static final Map<String, String> BASE_SETTINGS = orderedMap(
            "listen_addresses", HOST,
            "unix_socket_directories", "",
            "wal_level", "replica",
            "max_wal_senders", "10",
            "max_replication_slots", "10",
            "archive_mode", "off",
            "wal_keep_size", "0",
            "max_connections", "50",
            "shared_buffers", "32MB",
            "work_mem", "4MB",
            "maintenance_work_mem", "32MB",
            "password_encryption", "scram-sha-256",
            "log_timezone", "UTC",
            "timezone", "UTC");

    private final LocalPostgresConfig config;
    private final SecretStore secrets;
    private final Clock clock;
    private final CommandRunner runner;
    private final Optional<String> serverUser;
    private final SecureRandom random = new SecureRandom();
    private final ConcurrentHashMap<InstanceId, Object> locks = new ConcurrentHashMap<>();
    private final Set<Integer> portsHandedOut = ConcurrentHashMap.newKeySet();
    private volatile String binaryVersion;

    public LocalPostgresProvisioner(LocalPostgresConfig config, SecretStore secrets, Clock clock) {
        this.config = config;
        this.secrets = secrets;
        this.clock = clock;
        // Only root can switch users; anyone else runs the servers as themselves.
        this.serverUser = LocalPostgresConfig.isRoot() ? config.osUser() : Optional.empty();
        this.runner = new CommandRunner(Path.of("/"));
    }

    public LocalPostgresConfig config() {
        return config;
    }

    /** The OS user the servers run as when it differs from ours (we are root), else empty. */
    public Optional<String> serverUser() {
        return serverUser;
    }

    // ------------------------------------------------------------------ lifecycle

    @Override
    public ProvisionedInstance create(InstanceId id, InstanceSpec spec) {
        synchronized (lockOf(id)) {
            checkPrerequisites();
            Path dir = instanceDir(id);
            requireNew(id, dir);
            InstanceCredentials credentials = InstanceCredentials.standard(id);
            boolean created = false;
            try {
                Path pgdata = prepareInstanceDir(dir);
                InstanceRecord record = InstanceRecord.of(id, choosePort(), InstanceRecord.ORIGIN_INITDB, credentials,
                        version(), Instant.now(clock).toString());
                record.write(dir);
                String adminPassword = newPassword();
                String replicationPassword = newPassword();
                secrets.put(credentials.adminSecret(), adminPassword);
                secrets.put(credentials.replicationSecret(), replicationPassword);

                initdb(id, dir, pgdata, credentials.adminUser(), adminPassword, spec);
                writeHba(pgdata, credentials);
                Map<String, String> settings = new LinkedHashMap<>(BASE_SETTINGS);
                settings.putAll(config.extraSettings());
                PostgresConf.append(pgdata.resolve("postgresql.conf"), "Tideline (LocalPostgresProvisioner)", settings);
                writeAutoConf(pgdata, Map.of("port", Integer.toString(record.port())), key -> false);

                record = startServer(dir, record, true);
                try (Connection c = connect(record, credentials.adminUser(), adminPassword)) {
                    createReplicationRole(c, credentials.replicationUser(), replicationPassword);
                }
                created = true;
                LOG.info("created PostgreSQL instance {} on {}:{} ({})", id, HOST, record.port(), pgdata);
                return toInstance(record);
            } catch (IOException e) {
                throw new InstanceOperationException("creating instance " + id + " failed: " + e, e);
            } catch (SQLException e) {
                throw new InstanceOperationException("creating instance " + id + " failed while setting up roles: "
                        + e.getMessage() + serverLogTail(dir), e);
            } finally {
                if (!created) {
                    discard(id, dir, credentials);
                }
            }
        }
    }

    @Override
    public ProvisionedInstance start(InstanceId id) {
        synchronized (lockOf(id)) {
            Path dir = instanceDir(id);
            InstanceRecord record = require(id);
            if (record.awaitsBackup()) {
                throw new IllegalStateException("instance " + id + " is allocated for a restore and holds no cluster yet: "
                        + "unpack a base backup and call startRecovering");
            }
            if (isRunning(id, dir)) {
                return toInstance(record);
            }
            return toInstance(startServer(dir, record, true));
        }
    }

    @Override
    public void stop(InstanceId id) {
        synchronized (lockOf(id)) {
            Path dir = instanceDir(id);
            require(id);
            stopServer(id, dir, "fast");
        }
    }

    @Override
    public void destroy(InstanceId id) {
        synchronized (lockOf(id)) {
            Path dir = instanceDir(id);
            if (!Files.exists(dir)) {
                return;
            }
            InstanceCredentials credentials;
            try {
                credentials = readRecord(dir).map(InstanceRecord::credentials).orElse(InstanceCredentials.standard(id));
            } catch (IllegalStateException e) {
                // A torn or foreign record must not make an instance impossible to remove.
                LOG.warn("destroying {} despite its unreadable record: {}", id, e.getMessage());
                credentials = InstanceCredentials.standard(id);
            }
            // The data is going away: no shutdown checkpoint needed.
            if (Files.exists(dir.resolve(DATA_DIR).resolve("postmaster.pid"))) {
                stopServer(id, dir, "immediate");
            }
            deleteTree(dir);
            secrets.delete(credentials.adminSecret());
            secrets.delete(credentials.replicationSecret());
            LOG.info("destroyed PostgreSQL instance {}", id);
        }
    }

    @Override
    public Optional<ProvisionedInstance> find(InstanceId id) {
        return readRecord(instanceDir(id)).map(this::toInstance);
    }

    @Override
    public List<ProvisionedInstance> list() {
        Path instances = config.instancesDir();
        if (!Files.isDirectory(instances)) {
            return List.of();
        }
        List<ProvisionedInstance> found = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(instances, Files::isDirectory)) {
            for (Path dir : dirs) {
                try {
                    readRecord(dir).map(this::toInstance).ifPresent(found::add);
                } catch (RuntimeException e) {
                    LOG.warn("skipping {}: {}", dir, e.getMessage());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + instances, e);
        }
        found.sort(Comparator.comparing(i -> i.id().value()));
        return List.copyOf(found);
    }

    @Override
    public Optional<InstanceState> state(InstanceId id) {
        Path dir = instanceDir(id);
        Optional<InstanceRecord> record = readRecord(dir);
        if (record.isEmpty()) {
            return Optional.empty();
        }
        if (isRunning(id, dir)) {
            return Optional.of(InstanceState.RUNNING);
        }
        return Optional.of(record.get().awaitsBackup() ? InstanceState.ALLOCATED : InstanceState.STOPPED);
    }

    // ------------------------------------------------------------------ restore

    @Override
    public AllocatedInstance allocate(InstanceId id, InstanceCredentials credentials) {
        synchronized (lockOf(id)) {
            checkPrerequisites();
            Path dir = instanceDir(id);
            requireNew(id, dir);
            boolean allocated = false;
            try {
                Path pgdata = prepareInstanceDir(dir);
                InstanceRecord record = InstanceRecord.of(id, choosePort(), InstanceRecord.ORIGIN_RESTORE, credentials,
                        version(), Instant.now(clock).toString());
                record.write(dir);
                Optional<WalSpool> spool = prepareWalSpool(dir);
                allocated = true;
                return new AllocatedInstance(id, pgdata, record.port(), spool);
            } catch (IOException e) {
                throw new InstanceOperationException("allocating instance " + id + " failed: " + e, e);
            } finally {
                if (!allocated) {
                    deleteTreeQuietly(dir);
                }
            }
        }
    }

    @Override
    public ProvisionedInstance startRecovering(InstanceId id, RecoverySettings settings) {
        synchronized (lockOf(id)) {
            Path dir = instanceDir(id);
            InstanceRecord record = require(id);
            Path pgdata = dir.resolve(DATA_DIR);
            if (!InstanceRecord.ORIGIN_RESTORE.equals(record.origin())) {
                throw new IllegalStateException("instance " + id + " was not allocated for a restore");
            }
            if (isRunning(id, dir)) {
                throw new IllegalStateException("instance " + id + " is already running");
            }
            if (record.recovered() && !Files.exists(pgdata.resolve("recovery.signal"))) {
                throw new IllegalStateException("instance " + id + " has already finished its recovery");
            }
            try {
                requireBackupUnpacked(id, pgdata);
                // Left by a copy of a running cluster, these would make the server wait for a primary or a PID.
                Files.deleteIfExists(pgdata.resolve("postmaster.pid"));
                Files.deleteIfExists(pgdata.resolve("standby.signal"));
                Path conf = pgdata.resolve("postgresql.conf");
                if (!Files.exists(conf)) {
                    // Packaged clusters keep it outside the data directory, so their backups lack it.
                    Files.writeString(conf, "# created by Tideline: the backup had no postgresql.conf\n");
                }
                Map<String, String> recovery = new LinkedHashMap<>();
                recovery.put("port", Integer.toString(record.port()));
                recovery.put("listen_addresses", HOST);
                recovery.put("unix_socket_directories", "");
                recovery.put("archive_mode", "off");
                recovery.put("restore_command", settings.restoreCommand());
                settings.postgresTargetTime().ifPresent(t -> recovery.put("recovery_target_time", t));
                recovery.put("recovery_target_timeline", "latest");
                recovery.put("recovery_target_action", "promote");
                // The server accepts only one recovery target, and must not follow a primary.
                writeAutoConf(pgdata, recovery, key -> key.startsWith("recovery_target")
                        || key.equals("primary_conninfo") || key.equals("primary_slot_name"));
                writeHba(pgdata, record.credentials());
                Files.writeString(pgdata.resolve("recovery.signal"), "");
                fixDataDirOwnership(pgdata);
            } catch (IOException e) {
                throw new InstanceOperationException("preparing instance " + id + " for recovery failed: " + e, e);
            }
            record = record.asRecovered();
            record.write(dir);
            record = startServer(dir, record, false);
            LOG.info("instance {} started in archive recovery on port {} (target {})", id, record.port(),
                    settings.targetTime().map(Instant::toString).orElse("latest"));
            return toInstance(record);
        }
    }

    @Override
    public ProvisionedInstance awaitPromotion(InstanceId id, Duration timeout) {
        Path dir = instanceDir(id);
        InstanceRecord record = require(id);
        InstanceCredentials credentials = record.credentials();
        Deadline deadline = Deadline.after(timeout);
        String lastProblem = "no answer yet";
        while (true) {
            if (!isRunning(id, dir)) {
                throw new InstanceOperationException("instance " + id + " stopped before it was promoted"
                        + " (WAL it needed could not be fetched, or the recovery target lies beyond the available WAL?)"
                        + serverLogTail(dir));
            }
            String password = secrets.find(credentials.adminSecret()).orElseThrow(() -> new IllegalStateException(
                    "no password for " + credentials.adminUser() + " under " + credentials.adminSecret()
                            + ": a restored instance keeps its source's roles, copy the source's password there"));
            try (Connection c = connect(record, credentials.adminUser(), password);
                 Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT pg_is_in_recovery()")) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    LOG.info("instance {} promoted", id);
                    return toInstance(record);
                }
                lastProblem = "still in recovery";
            } catch (SQLException e) {
                if (e.getSQLState() != null && e.getSQLState().startsWith("28")) {
                    throw new InstanceOperationException("instance " + id + " refused " + credentials.adminUser()
                            + " (" + e.getMessage() + "): the password under " + credentials.adminSecret()
                            + " must be the backup source's", e);
                }
                // Not yet consistent ("the database system is starting up") or not yet listening.
                lastProblem = e.getMessage();
            }
            if (deadline.passed()) {
                throw new InstanceOperationException("instance " + id + " was not promoted within " + timeout.toSeconds()
                        + " s (last: " + lastProblem + ")" + serverLogTail(dir));
            }
            sleep(POLL_INTERVAL);
        }
    }

    @Override
    public void rotatePasswords(InstanceId id) {
        synchronized (lockOf(id)) {
            InstanceRecord record = require(id);
            InstanceCredentials credentials = record.credentials();
            String oldAdmin = secrets.get(credentials.adminSecret());
            try (Connection c = connect(record, credentials.adminUser(), oldAdmin)) {
                PGConnection pg = c.unwrap(PGConnection.class);
                String replication = newPassword();
                pg.alterUserPassword(credentials.replicationUser(), replication.toCharArray(), "scram-sha-256");
                secrets.put(credentials.replicationSecret(), replication);
                String admin = newPassword();
                pg.alterUserPassword(credentials.adminUser(), admin.toCharArray(), "scram-sha-256");
                try {
                    secrets.put(credentials.adminSecret(), admin);
                } catch (RuntimeException e) {
                    // Keep the stored password valid: put the old one back on the server.
                    pg.alterUserPassword(credentials.adminUser(), oldAdmin.toCharArray(), "scram-sha-256");
                    throw e;
                }
            } catch (SQLException e) {
                throw new InstanceOperationException("rotating the passwords of instance " + id + " failed: " + e.getMessage(), e);
            }
        }
    }

    // ------------------------------------------------------------------ server control

    private void initdb(InstanceId id, Path dir, Path pgdata, String adminUser, String adminPassword, InstanceSpec spec)
            throws IOException {
        Path pwfile = dir.resolve(".initdb-pwfile");
        Files.writeString(pwfile, adminPassword + "\n");
        Files.setPosixFilePermissions(pwfile, PosixFilePermissions.fromString("rw-------"));
        giveToServerUser(pwfile);
        try {
            runner.runChecked("initdb for instance " + id, serverCommand(bin("initdb"),
                    "--pgdata=" + pgdata,
                    "--username=" + adminUser,
                    "--pwfile=" + pwfile,
                    "--auth=scram-sha-256",
                    "--encoding=UTF8",
                    "--locale=C",
                    "--data-checksums",
                    "--wal-segsize=" + spec.walSegmentSizeMb(),
                    "--no-instructions"), config.commandTimeout(), Map.of());
        } finally {
            Files.deleteIfExists(pwfile);
        }
    }

    /** Starts the server; with {@code waitReady} only returns once the admin role can connect. */
    private InstanceRecord startServer(Path dir, InstanceRecord record, boolean waitReady) {
        InstanceId id = record.instanceId();
        Path pgdata = dir.resolve(DATA_DIR);
        Path log = dir.resolve(LOG_FILE);
        for (int attempt = 1; ; attempt++) {
            if (!portIsFree(record.port())) {
                record = movePort(dir, record);
            }
            long logOffset = sizeOf(log);
            List<String> command = new ArrayList<>(List.of(bin("pg_ctl"), "start", "--pgdata=" + pgdata, "--log=" + log, "--silent"));
            if (waitReady) {
                command.addAll(List.of("--wait", "--timeout=" + config.startTimeout().toSeconds()));
            } else {
                command.add("--no-wait");
            }
            CommandRunner.Result result = runner.run("starting instance " + id, serverCommand(command),
                    config.startTimeout().plusSeconds(15), Map.of());
            if (result.ok() && (waitReady ? awaitConnectable(record) : awaitRunning(id, dir, log, logOffset))) {
                return record;
            }
            String newLog = logSince(log, logOffset);
            if (attempt < START_ATTEMPTS && (newLog.contains("could not bind") || newLog.contains("Address already in use"))) {
                LOG.warn("port {} of instance {} was taken while starting; choosing another", record.port(), id);
                if (isRunning(id, dir)) {
                    stopServer(id, dir, "immediate");
                }
                record = movePort(dir, record);
                continue;
            }
            if (isRunning(id, dir)) {
                stopServer(id, dir, "immediate");
            }
            throw new InstanceOperationException("instance " + id + " did not start (pg_ctl exit " + result.exitCode() + "):\n"
                    + result.output() + "\nserver log:\n" + CommandRunner.tail(newLog.strip(), LOG_TAIL_LINES));
        }
    }

    /** Waits for a successful admin login; pg_ctl's "ready" can precede it by a moment. */
    private boolean awaitConnectable(InstanceRecord record) {
        InstanceCredentials credentials = record.credentials();
        String password = secrets.get(credentials.adminSecret());
        Deadline deadline = Deadline.after(config.startTimeout());
        while (true) {
            try (Connection c = connect(record, credentials.adminUser(), password); Statement st = c.createStatement()) {
                st.execute("SELECT 1");
                return true;
            } catch (SQLException e) {
                if (e.getSQLState() != null && e.getSQLState().startsWith("28")) {
                    throw new InstanceOperationException("instance " + record.id() + " refused its admin role: " + e.getMessage(), e);
                }
                if (deadline.passed()) {
                    LOG.warn("instance {} does not accept connections: {}", record.id(), e.getMessage());
                    return false;
                }
            }
            sleep(POLL_INTERVAL);
        }
    }

    /**
     * Without waiting for readiness, waits at least until {@code pg_ctl status} sees the postmaster
     * (its PID file written and the process alive), so that a later "not running" means it stopped,
     * not that it has not begun. A server that refuses its configuration never gets that far: its
     * FATAL line in the log ends the wait early.
     */
    private boolean awaitRunning(InstanceId id, Path dir, Path log, long logOffset) {
        Deadline deadline = Deadline.after(config.startTimeout());
        while (!isRunning(id, dir)) {
            String newLog = logSince(log, logOffset);
            if (deadline.passed() || newLog.contains("FATAL:") || newLog.contains("PANIC:")) {
                return false;
            }
            sleep(Duration.ofMillis(50));
        }
        return true;
    }

    private void stopServer(InstanceId id, Path dir, String mode) {
        if (!isRunning(id, dir)) {
            return;
        }
        Path pgdata = dir.resolve(DATA_DIR);
        CommandRunner.Result result = runner.run("stopping instance " + id, serverCommand(bin("pg_ctl"), "stop",
                "--pgdata=" + pgdata, "--mode=" + mode, "--wait", "--timeout=" + config.stopTimeout().toSeconds(), "--silent"),
                config.stopTimeout().plusSeconds(15), Map.of());
        if (result.ok() || !isRunning(id, dir)) {
            return;
        }
        if (!"immediate".equals(mode)) {
            LOG.warn("{} shutdown of instance {} failed ({}); shutting down immediately", mode, id, result.output());
            stopServer(id, dir, "immediate");
            return;
        }
        throw new InstanceOperationException("instance " + id + " did not stop:\n" + result.output() + serverLogTail(dir));
    }

    private boolean isRunning(InstanceId id, Path dir) {
        Path pgdata = dir.resolve(DATA_DIR);
        Path pidFile = pgdata.resolve("postmaster.pid");
        CommandRunner.Result status = null;
        for (int attempt = 0; attempt < 50; attempt++) {
            if (!Files.exists(pidFile)) {
                return false;
            }
            // pg_ctl also checks that the PID in the file is alive, so a stale file after a crash reads as stopped.
            status = runner.run("status of instance " + id,
                    serverCommand(bin("pg_ctl"), "status", "--pgdata=" + pgdata), config.commandTimeout(), Map.of());
            if (status.exitCode() == 0) {
                return true;
            }
            if (status.exitCode() == 3) {
                return false;
            }
            // 1: the PID file is empty or half-written because the postmaster is just starting or
            // stopping (its lock file is created before it is filled): ask again in a moment.
            sleep(Duration.ofMillis(20));
        }
        throw new InstanceOperationException("cannot tell whether instance " + id + " runs: pg_ctl status exited with "
                + status.exitCode() + ":\n" + status.output());
    }

    // ------------------------------------------------------------------ files and ownership

    /** Creates {@code <id>/}, an empty {@code pgdata/} owned by the server user, and the log file. */
    private Path prepareInstanceDir(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path pgdata = dir.resolve(DATA_DIR);
        Files.createDirectory(pgdata);
        Files.setPosixFilePermissions(pgdata, PosixFilePermissions.fromString("rwx------"));
        giveToServerUser(pgdata);
        Path log = dir.resolve(LOG_FILE);
        Files.writeString(log, "");
        Files.setPosixFilePermissions(log, PosixFilePermissions.fromString("rw-------"));
        // pg_ctl opens the log as the server user; the directory itself stays ours.
        giveToServerUser(log);
        return pgdata;
    }

    private void writeHba(Path pgdata, InstanceCredentials credentials) throws IOException {
        Path hba = pgdata.resolve("pg_hba.conf");
        String content = """
                # Written by Tideline: TCP on the loopback address only, SCRAM passwords only.
                # TYPE  DATABASE      USER       ADDRESS         METHOD
                host    all           all        127.0.0.1/32    scram-sha-256
                host    replication   %s    127.0.0.1/32    scram-sha-256
                """.formatted(credentials.replicationUser());
        Files.writeString(hba, content, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(hba, PosixFilePermissions.fromString("rw-------"));
        giveToServerUser(hba);
    }

    private void writeAutoConf(Path pgdata, Map<String, String> set, java.util.function.Predicate<String> remove) throws IOException {
        Path auto = pgdata.resolve("postgresql.auto.conf");
        PostgresConf.rewrite(auto, set, remove);
        Files.setPosixFilePermissions(auto, PosixFilePermissions.fromString("rw-------"));
        giveToServerUser(auto);
    }

    private InstanceRecord movePort(Path dir, InstanceRecord record) {
        InstanceRecord moved = record.withPort(choosePort());
        try {
            writeAutoConf(dir.resolve(DATA_DIR), Map.of("port", Integer.toString(moved.port())), key -> false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot change the port of instance " + record.id(), e);
        }
        moved.write(dir);
        return moved;
    }

    private void requireBackupUnpacked(InstanceId id, Path pgdata) throws IOException {
        Path versionFile = pgdata.resolve("PG_VERSION");
        if (!Files.exists(versionFile)) {
            throw new IllegalStateException("the data directory of instance " + id + " holds no cluster (" + versionFile
                    + " missing): unpack a base backup into " + pgdata + " first");
        }
        String backupMajor = Files.readString(versionFile).strip();
        String ourMajor = version().split("\\.")[0];
        if (!backupMajor.equals(ourMajor)) {
            throw new IllegalStateException("the backup in " + pgdata + " is from PostgreSQL " + backupMajor
                    + " but this provisioner runs PostgreSQL " + ourMajor);
        }
    }

    /**
     * {@code <instance>/wal-spool}: beside the data directory (same file system, so the server's rename into
     * {@code pg_wal} is atomic), outside it (base backups of the new instance do not carry it), and the
     * server's own (its {@code restore_command} renames files out of it).
     */
    private Optional<WalSpool> prepareWalSpool(Path dir) throws IOException {
        Path spoolDir = Files.createDirectories(dir.resolve(WAL_SPOOL_DIR));
        Files.setPosixFilePermissions(spoolDir, PosixFilePermissions.fromString("rwx------"));
        giveToServerUser(spoolDir);
        try {
            return Optional.of(new WalSpool(spoolDir, serverUserPrincipal()));
        } catch (IllegalArgumentException e) {
            LOG.warn("no WAL spool for restores into {}: {}; the server will fetch every segment over HTTP", dir, e.getMessage());
            return Optional.empty();
        }
    }

    /** The server insists on owning its data directory, mode 0700 for directories and 0600 for files. */
    private void fixDataDirOwnership(Path pgdata) throws IOException {
        Optional<UserPrincipal> owner = serverUserPrincipal();
        Set<PosixFilePermission> dirMode = PosixFilePermissions.fromString("rwx------");
        Set<PosixFilePermission> fileMode = PosixFilePermissions.fromString("rw-------");
        try (Stream<Path> paths = Files.walk(pgdata)) {
            for (Path p : (Iterable<Path>) paths::iterator) {
                PosixFileAttributeView view = Files.getFileAttributeView(p, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
                if (owner.isPresent()) {
                    view.setOwner(owner.get());
                }
                if (Files.isSymbolicLink(p)) {
                    continue;
                }
                view.setPermissions(Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) ? dirMode : fileMode);
            }
        }
    }

    private void giveToServerUser(Path path) throws IOException {
        Optional<UserPrincipal> owner = serverUserPrincipal();
        if (owner.isPresent()) {
            Files.getFileAttributeView(path, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).setOwner(owner.get());
        }
    }

    private Optional<UserPrincipal> serverUserPrincipal() throws IOException {
        if (serverUser.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(config.home().getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(serverUser.get()));
    }

    /** Removes what a failed create left: server, files, secrets. Never throws over the original failure. */
    private void discard(InstanceId id, Path dir, InstanceCredentials credentials) {
        try {
            if (Files.exists(dir.resolve(DATA_DIR).resolve("postmaster.pid"))) {
                stopServer(id, dir, "immediate");
            }
        } catch (RuntimeException e) {
            LOG.warn("could not stop the half-created instance {}: {}", id, e.getMessage());
        }
        deleteTreeQuietly(dir);
        try {
            secrets.delete(credentials.adminSecret());
            secrets.delete(credentials.replicationSecret());
        } catch (RuntimeException e) {
            LOG.warn("could not delete the secrets of the half-created instance {}: {}", id, e.getMessage());
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + dir, e);
        }
    }

    private static void deleteTreeQuietly(Path dir) {
        try {
            if (Files.exists(dir)) {
                deleteTree(dir);
            }
        } catch (RuntimeException e) {
            LOG.warn("could not remove {}: {}", dir, e.getMessage());
        }
    }

    // ------------------------------------------------------------------ helpers

    private void checkPrerequisites() {
        for (String tool : List.of("initdb", "pg_ctl", "postgres")) {
            Path path = config.binDir().resolve(tool);
            if (!Files.isExecutable(path)) {
                throw new IllegalStateException("PostgreSQL binary " + path + " not found: install PostgreSQL 15 "
                        + "(apt-get install postgresql-15) or configure the bin directory");
            }
        }
        if (config.osUser().isPresent() && serverUser.isEmpty()
                && !config.osUser().get().equals(System.getProperty("user.name"))) {
            throw new IllegalStateException("servers are to run as OS user " + config.osUser().get()
                    + ", which only root can switch to; run as root or configure no OS user");
        }
        if (serverUser.isEmpty()) {
            return;
        }
        try {
            serverUserPrincipal();
        } catch (UserPrincipalNotFoundException e) {
            throw new IllegalStateException("OS user " + serverUser.get() + " does not exist; PostgreSQL cannot run as root "
                    + "(the postgresql-15 package creates the postgres user)", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            Files.createDirectories(config.instancesDir());
            Files.setPosixFilePermissions(config.instancesDir(), PosixFilePermissions.fromString("rwxr-xr-x"));
            for (Path p = config.instancesDir().getParent(); p != null; p = p.getParent()) {
                if (!Files.getPosixFilePermissions(p).contains(PosixFilePermission.OTHERS_EXECUTE)) {
                    throw new IllegalStateException("PostgreSQL runs as OS user " + serverUser.get() + ", which cannot reach "
                            + config.instancesDir() + " because " + p + " is not traversable: chmod o+x " + p
                            + " or choose another Tideline home");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare " + config.instancesDir(), e);
        }
    }

    private Path instanceDir(InstanceId id) {
        return config.instancesDir().resolve(id.value());
    }

    private static void requireNew(InstanceId id, Path dir) {
        if (Files.exists(dir)) {
            throw new IllegalStateException("instance " + id + " already exists (" + dir + ")");
        }
    }

    private InstanceRecord require(InstanceId id) {
        return readRecord(instanceDir(id)).orElseThrow(() -> new IllegalArgumentException("no instance " + id));
    }

    private static Optional<InstanceRecord> readRecord(Path dir) {
        return InstanceRecord.read(dir);
    }

    private ProvisionedInstance toInstance(InstanceRecord record) {
        return new ProvisionedInstance(record.instanceId(), HOST, record.port(), DATABASE, record.credentials(),
                instanceDir(record.instanceId()).resolve(DATA_DIR), record.postgresVersion());
    }

    private Object lockOf(InstanceId id) {
        return locks.computeIfAbsent(id, k -> new Object());
    }

    private List<String> serverCommand(String... command) {
        return serverCommand(List.of(command));
    }

    private List<String> serverCommand(List<String> command) {
        List<String> full = new ArrayList<>();
        serverUser.ifPresent(user -> full.addAll(List.of("runuser", "-u", user, "--")));
        full.addAll(command);
        return full;
    }

    private String bin(String tool) {
        return config.binDir().resolve(tool).toString();
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

    /**
     * A free loopback port that no instance of this home uses (a stopped one keeps its port) and
     * that this provisioner has not just handed to another instance starting concurrently.
     */
    private int choosePort() {
        Set<Integer> used = new HashSet<>(portsHandedOut);
        list().forEach(i -> used.add(i.port()));
        for (int i = 0; i < 100; i++) {
            int port;
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
                port = socket.getLocalPort();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot find a free port on " + HOST, e);
            }
            if (!used.contains(port) && portsHandedOut.add(port)) {
                return port;
            }
        }
        throw new IllegalStateException("no free port found on " + HOST);
    }

    private static boolean portIsFree(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new java.net.InetSocketAddress(InetAddress.getByName(HOST), port), 1);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private Connection connect(InstanceRecord record, String user, String password) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", user);
        props.setProperty("password", password);
        props.setProperty("connectTimeout", "10");
        props.setProperty("loginTimeout", "10");
        props.setProperty("socketTimeout", "60");
        props.setProperty("sslmode", "disable");
        props.setProperty("ApplicationName", "tideline-provisioner");
        return DriverManager.getConnection("jdbc:postgresql://" + HOST + ":" + record.port() + "/" + DATABASE, props);
    }

    private static void createReplicationRole(Connection c, String role, String password) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("CREATE ROLE " + role + " WITH LOGIN REPLICATION");
        }
        // Hashed on our side (SCRAM verifier), so the clear password never reaches the server or its logs.
        c.unwrap(PGConnection.class).alterUserPassword(role, password.toCharArray(), "scram-sha-256");
    }

    private String newPassword() {
        byte[] bytes = new byte[24];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private String serverLogTail(Path dir) {
        Path log = dir.resolve(LOG_FILE);
        try {
            String text = new String(Files.readAllBytes(log), StandardCharsets.UTF_8);
            return "\nserver log " + log + " (tail):\n" + CommandRunner.tail(text.strip(), LOG_TAIL_LINES);
        } catch (IOException e) {
            return "\n(no server log at " + log + ")";
        }
    }

    private static long sizeOf(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0;
        }
    }

    private static String logSince(Path log, long offset) {
        try {
            byte[] all = Files.readAllBytes(log);
            int from = (int) Math.min(offset, all.length);
            return new String(all, from, all.length - from, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InstanceOperationException("interrupted", e);
        }
    }

    /** A point on the monotonic clock: timeouts must not stretch or shrink when the wall clock is set. */
    private record Deadline(long nanos) {
        static Deadline after(Duration d) {
            return new Deadline(System.nanoTime() + d.toNanos());
        }

        boolean passed() {
            return System.nanoTime() - nanos > 0;
        }
    }

    private static Map<String, String> orderedMap(String... keyValues) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            map.put(keyValues[i], keyValues[i + 1]);
        }
        return java.util.Collections.unmodifiableMap(map);
    }
}
