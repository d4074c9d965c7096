package io.tideline.platform.local.postgres;

import io.tideline.core.ids.InstanceId;
import io.tideline.core.instance.AllocatedInstance;
import io.tideline.core.instance.InstanceCredentials;
import io.tideline.core.instance.InstanceOperationException;
import io.tideline.core.instance.InstanceProvisioner;
import io.tideline.core.instance.InstanceSpec;
import io.tideline.core.instance.InstanceState;
import io.tideline.core.instance.ProvisionedInstance;
import io.tideline.core.instance.RecoverySettings;
import io.tideline.core.instance.WalSpool;
import io.tideline.core.secrets.SecretStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs PostgreSQL clusters on this machine with its own binaries ({@code initdb}, {@code pg_ctl}).
 * Each operation is a script of steps done by classes with one job: the {@link InstanceDirectory}
 * (layout, record, ownership), the {@link PostgresServer} (the process), the {@link PortAllocator},
 * the {@link ServerStartup}, {@link Passwords}, {@link RecoverySetup} and {@link PromotionWait}.
 *
 * <p>When the caller is root, each instance it makes gets an OS user of its own ({@link InstanceUsers}),
 * which owns the instance's files and runs its server commands ({@link ServerUser}; PostgreSQL refuses
 * to run as root anyway), and is removed with the instance. Instances made before that run as the
 * configured OS user; when we are not root, all run as ourselves. Servers listen on 127.0.0.1 only
 * (or on the host's address too, with the client networks {@link PostgresNetwork} names; the address is then
 * the one handed out), on a free port picked at creation (and picked again at start if something else took it meanwhile),
 * and have no Unix socket. Operations on one instance are serialised within this provisioner.
 *
 * <p>With {@link LocalPostgresConfig#tls()} each server it makes (created, or allocated for a restore) gets a
 * certificate from the Tideline CA ({@link InstanceTls}), {@code ssl=on} and TLS-only {@code pg_hba.conf}
 * lines; {@link #renewCertificates} renews them and reloads the servers, without a restart.
 */
public final class LocalPostgresProvisioner implements InstanceProvisioner {

    private static final Logger LOG = LoggerFactory.getLogger(LocalPostgresProvisioner.class);

    /** Where servers listen when no {@link PostgresNetwork} says otherwise. */
    public static final String HOST = PostgresNetwork.LOOPBACK;
    public static final String DATABASE = "postgres";

    private final LocalPostgresConfig config;
    private final SecretStore secrets;
    private final Clock clock;
    private final boolean root;
    private final ServerUser serverUser;
    private final InstanceUsers users;
    private final InstanceDirectories directories;
    private final PostgresServer server;
    private final PortAllocator ports;
    private final ServerStartup startup;
    private final Passwords passwords;
    private final PromotionWait promotion;
    private final InstanceTls tls;
    private final InstanceConnector connector;
    private final ConcurrentHashMap<InstanceId, Object> locks = new ConcurrentHashMap<>();
    /** Restored data directories being written to disk while their servers recover with fsync off. */
    private final ConcurrentHashMap<InstanceId, DataDirWriteback> writebacks = new ConcurrentHashMap<>();

    public LocalPostgresProvisioner(LocalPostgresConfig config, SecretStore secrets, Clock clock) {
        this.config = config;
        this.secrets = secrets;
        this.clock = clock;
        this.root = LocalPostgresConfig.isRoot();
        this.serverUser = ServerUser.of(config);
        this.users = new InstanceUsers(config.instancesDir(), root, serverUser,
                new OsAccounts(new CommandRunner(Path.of("/")), config.home().getFileSystem(), config.commandTimeout()));
        this.directories = new InstanceDirectories(config.instancesDir(), users);
        this.server = new PostgresServer(config);
        this.connector = new InstanceConnector(config.network().listenAddress(), secrets);
        this.tls = new InstanceTls(secrets, clock, config.network().addresses());
        // A stopped instance keeps its port, so every instance of the home counts as using one.
        this.ports = new PortAllocator(config.network().listenAddress(), () -> list().stream().map(ProvisionedInstance::port).toList());
        this.startup = new ServerStartup(server, ports, connector, secrets, config.startTimeout());
        this.passwords = new Passwords(secrets, connector);
        this.promotion = new PromotionWait(server, connector, secrets);
    }

    public LocalPostgresConfig config() {
        return config;
    }

    /**
     * When we are root, the OS user of the instances made before each had its own (the configured one,
     * {@code postgres}); else empty: every server runs as ourselves. Tells a watchdog whether to switch users.
     */
    public Optional<String> serverUser() {
        return serverUser.name();
    }

    /** The OS user instance {@code id}'s server runs as when it differs from ours (we are root), else empty. */
    public Optional<String> serverUserOf(InstanceId id) {
        return directories.of(id).serverUser().name();
    }

    // ------------------------------------------------------------------ lifecycle

    @Override
    public ProvisionedInstance create(InstanceId id, InstanceSpec spec) {
        synchronized (lockOf(id)) {
            InstanceDirectory dir = newDirectory(id);
            InstanceCredentials credentials = InstanceCredentials.standard(id);
            boolean created = false;
            try {
                dir.create();
                if (config.tls()) {
                    tls.issue(id, dir);
                }
                InstanceRecord record = newRecord(id, InstanceRecord.ORIGIN_INITDB, credentials);
                dir.write(record);
                String adminPassword = passwords.storeNew(credentials.adminSecret());
                String replicationPassword = passwords.storeNew(credentials.replicationSecret());
                String ownerPassword = passwords.storeNew(InstanceCredentials.ownerSecret(id));
                server.initdb(id, dir, credentials.adminUser(), adminPassword, spec);
                configureNewCluster(dir, credentials, record.port());
                record = startup.start(dir, record, true);
                passwords.createRoles(record, adminPassword, replicationPassword, ownerPassword);
                created = true;
                LOG.info("created PostgreSQL instance {} on {}:{} ({})", id, config.network().listenAddress(), record.port(), dir.dataDir());
                return toInstance(record);
            } catch (IOException e) {
                throw new InstanceOperationException("creating instance " + id + " failed: " + e, e);
            } catch (SQLException e) {
                throw new InstanceOperationException("creating instance " + id + " failed while setting up roles: "
                        + e.getMessage() + dir.log().tail(), e);
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
            InstanceDirectory dir = directories.of(id);
            InstanceRecord record = require(id, dir);
            if (record.awaitsBackup()) {
                throw new IllegalStateException("instance " + id + " is allocated for a restore and holds no cluster yet: "
                        + "unpack a base backup and call startRecovering");
            }
            if (server.isRunning(id, dir)) {
                return toInstance(record);
            }
            return toInstance(startup.start(dir, record, true));
        }
    }

    @Override
    public void stop(InstanceId id) {
        synchronized (lockOf(id)) {
            InstanceDirectory dir = directories.of(id);
            require(id, dir);
            server.stop(id, dir, PostgresServer.Shutdown.FAST);
        }
    }

    @Override
    public void destroy(InstanceId id) {
        synchronized (lockOf(id)) {
            InstanceDirectory dir = directories.of(id);
            if (!dir.exists()) {
                // A crash between making its user and its directory leaves only the user.
                users.remove(id);
                return;
            }
            InstanceCredentials credentials = credentialsForRemoval(id, dir);
            stopWriteback(id);
            // The data is going away: no shutdown checkpoint needed.
            if (dir.hasPidFile()) {
                server.stop(id, dir, PostgresServer.Shutdown.IMMEDIATE);
            }
            dir.delete();
            secrets.delete(credentials.adminSecret());
            secrets.delete(credentials.replicationSecret());
            secrets.delete(InstanceCredentials.ownerSecret(id));
            tls.forget(id);
            // Only once no file of it is left: a later user could be given its number and own them.
            users.remove(id);
            LOG.info("destroyed PostgreSQL instance {}", id);
        }
    }

    @Override
    public Optional<ProvisionedInstance> find(InstanceId id) {
        return directories.of(id).readRecord().map(this::toInstance);
    }

    @Override
    public List<ProvisionedInstance> list() {
        List<ProvisionedInstance> found = new ArrayList<>();
        for (InstanceDirectory dir : directories.all()) {
            try {
                dir.readRecord().map(this::toInstance).ifPresent(found::add);
            } catch (RuntimeException e) {
                LOG.warn("skipping {}: {}", dir, e.getMessage());
            }
        }
        found.sort(Comparator.comparing(i -> i.id().value()));
        return List.copyOf(found);
    }

    @Override
    public Optional<InstanceState> state(InstanceId id) {
        InstanceDirectory dir = directories.of(id);
        Optional<InstanceRecord> record = dir.readRecord();
        if (record.isEmpty()) {
            return Optional.empty();
        }
        if (server.isRunning(id, dir)) {
            return Optional.of(InstanceState.RUNNING);
        }
        return Optional.of(record.get().awaitsBackup() ? InstanceState.ALLOCATED : InstanceState.STOPPED);
    }

    // ------------------------------------------------------------------ restore

    @Override
    public AllocatedInstance allocate(InstanceId id, InstanceCredentials credentials) {
        synchronized (lockOf(id)) {
            long t0 = System.nanoTime();
            InstanceDirectory dir = newDirectory(id);
            boolean allocated = false;
            try {
                dir.create();
                long t1 = System.nanoTime();
                if (config.tls()) {
                    tls.issue(id, dir);
                }
                long t2 = System.nanoTime();
                InstanceRecord record = newRecord(id, InstanceRecord.ORIGIN_RESTORE, credentials);
                dir.write(record);
                Optional<WalSpool> spool = dir.createWalSpool();
                allocated = true;
                LOG.info("allocated instance {} for a restore (user and directory {} ms, certificate {} ms, record and spool {} ms)",
                        id, (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000, (System.nanoTime() - t2) / 1_000_000);
                return new AllocatedInstance(id, dir.dataDir(), record.port(), spool);
            } catch (IOException e) {
                throw new InstanceOperationException("allocating instance " + id + " failed: " + e, e);
            } finally {
                if (!allocated) {
                    dir.deleteQuietly();
                    forgetTlsQuietly(id);
                    removeUserQuietly(id, dir);
                }
            }
        }
    }

    @Override
    public ProvisionedInstance startRecovering(InstanceId id, RecoverySettings settings) {
        synchronized (lockOf(id)) {
            InstanceDirectory dir = directories.of(id);
            long started = System.nanoTime();
            InstanceRecord record = require(id, dir);
            requireAwaitingRecovery(id, dir, record);
            try {
                RecoverySetup.prepare(id, dir, record, settings, server.majorVersion(), config.network(), InstanceTls.enabled(dir));
            } catch (IOException e) {
                throw new InstanceOperationException("preparing instance " + id + " for recovery failed: " + e, e);
            }
            if ("off".equals(settings.recoveryOnly().get("fsync"))) {
                // With fsync on, the server itself syncs the data directory when it starts; with it off nothing
                // does until finishRecovery, so the unpacked backup is flushed meanwhile, off the critical path.
                Optional.ofNullable(writebacks.put(id, DataDirWriteback.start(dir.dataDir(), id.value()))).ifPresent(DataDirWriteback::close);
            }
            long prepared = System.nanoTime();
            record = record.asRecovered();
            dir.write(record);
            record = startup.start(dir, record, false);
            LOG.info("instance {} started in archive recovery on port {} (target {}; settings and ownership {} ms, start {} ms)", id,
                    record.port(), settings.target().describe(), (prepared - started) / 1_000_000, (System.nanoTime() - prepared) / 1_000_000);
            return toInstance(record);
        }
    }

    @Override
    public ProvisionedInstance awaitPromotion(InstanceId id, Duration timeout) {
        InstanceDirectory dir = directories.of(id);
        InstanceRecord record = require(id, dir);
        promotion.await(id, dir, record, timeout);
        return toInstance(record);
    }

    /**
     * The instance's own settings back, and its data durable: a clean shutdown writes what recovery left in
     * shared buffers, {@code initdb --sync-only} flushes every file written while {@code fsync} was off (the server's own
     * checkpoints no longer know them), and the start brings every own setting into force ({@code shared_buffers}
     * needs one). Until this returns the restore has not succeeded: a crash before leaves an instance that is
     * thrown away, which is why recovery may run without fsync.
     */
    @Override
    public ProvisionedInstance finishRecovery(InstanceId id) {
        synchronized (lockOf(id)) {
            InstanceDirectory dir = directories.of(id);
            InstanceRecord record = require(id, dir);
            try {
                if (!RecoverySetup.restoreOwnSettings(dir)) {
                    return toInstance(record);
                }
            } catch (IOException e) {
                throw new InstanceOperationException("restoring the own settings of instance " + id + " failed: " + e, e);
            }
            long flushedAhead = stopWriteback(id);
            long t0 = System.nanoTime();
            server.stop(id, dir, PostgresServer.Shutdown.FAST);
            long t1 = System.nanoTime();
            server.syncDataDir(id, dir);
            long t2 = System.nanoTime();
            record = startup.start(dir, record, true);
            LOG.info("instance {} restarted with its own settings after recovery; its data is synced to disk (stop {} ms, sync {} ms,"
                    + " start {} ms; {} file(s) flushed during recovery)", id, (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000,
                    (System.nanoTime() - t2) / 1_000_000, flushedAhead);
            return toInstance(record);
        }
    }

    @Override
    public void rotatePasswords(InstanceId id) {
        synchronized (lockOf(id)) {
            passwords.rotate(id, require(id, directories.of(id)));
        }
    }

    /**
     * Renews the certificate of every instance made with one whose certificate is due (a third of its
     * lifetime left) or no longer names its addresses, and makes each running server read it with
     * {@code pg_reload_conf()}: no restart, open connections go on. Returns the instances renewed. A failure
     * on one instance is logged and the others are still renewed; it is retried at the next call.
     */
    public List<InstanceId> renewCertificates() {
        List<InstanceId> renewed = new ArrayList<>();
        for (InstanceDirectory dir : directories.all()) {
            Optional<InstanceRecord> record;
            try {
                record = dir.readRecord();
            } catch (RuntimeException e) {
                continue;
            }
            if (record.isEmpty() || !InstanceTls.enabled(dir)) {
                continue;
            }
            InstanceId id = record.get().instanceId();
            synchronized (lockOf(id)) {
                try {
                    if (tls.renew(id, dir)) {
                        if (server.isRunning(id, dir) && !record.get().awaitsBackup()) {
                            reload(record.get());
                        }
                        renewed.add(id);
                        LOG.info("renewed the server certificate of instance {}", id);
                    }
                } catch (IOException | SQLException | RuntimeException e) {
                    LOG.warn("could not renew the server certificate of instance {}: {}", id, e.getMessage());
                }
            }
        }
        return List.copyOf(renewed);
    }

    private void reload(InstanceRecord record) throws SQLException {
        InstanceCredentials credentials = record.credentials();
        try (java.sql.Connection c = connector.connect(record, credentials.adminUser(), secrets.get(credentials.adminSecret()));
             java.sql.Statement s = c.createStatement()) {
            s.execute("SELECT pg_reload_conf()");
        }
    }

    /**
     * The binaries' version asked (a process, once), the instances' records read, and a record written and read back
     * in a temporary directory: on a cold JVM the first restore's allocation spent seconds on these (JSON binding of the
     * record, the version's process), measured against tens of milliseconds later (issue 18.2).
     */
    @Override
    public void warmUp() {
        long started = System.nanoTime();
        try {
            server.version();
            list();
            Path dir = Files.createTempDirectory("tideline-instance-warm-up");
            try {
                InstanceId id = InstanceId.of("warm-up");
                InstanceRecord.of(id, 0, InstanceRecord.ORIGIN_RESTORE, InstanceCredentials.standard(id), server.version(),
                        Instant.now(clock).toString(), null).asRecovered().write(dir);
                InstanceRecord.read(dir);
            } finally {
                try (var files = Files.walk(dir)) {
                    files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
            LOG.debug("instance provisioner warmed up in {} ms", (System.nanoTime() - started) / 1_000_000);
        } catch (IOException | RuntimeException e) {
            LOG.debug("instance provisioner warm-up failed: {}", e.toString());
        }
    }

    // ------------------------------------------------------------------ steps

    /**
     * The directory of a new instance, not made yet, whose OS user (as root) is made first. Fails, saying
     * what to do, before anything is made on a machine that cannot run the servers, and for an id that is taken.
     */
    private InstanceDirectory newDirectory(InstanceId id) {
        server.requireBinaries();
        if (!root) {
            serverUser.requireUsable(config.osUser());
        }
        directories.of(id).requireAbsent(id);
        if (root) {
            directories.requireReachable(users.recordedName(id));
        }
        return directories.ofNew(id, users.prepareNew(id));
    }

    private InstanceRecord newRecord(InstanceId id, String origin, InstanceCredentials credentials) {
        return InstanceRecord.of(id, ports.choose(), origin, credentials, server.version(), Instant.now(clock).toString(),
                users.recordedName(id));
    }

    /** After initdb: Tideline's access rules, the cluster settings, the instance's port and its certificate. */
    private void configureNewCluster(InstanceDirectory dir, InstanceCredentials credentials, int port) throws IOException {
        dir.writeHba(credentials);
        dir.appendHba(config.network().hbaLines(credentials.replicationUser()));
        dir.appendToConf(ClusterSettings.HEADER, ClusterSettings.with(config.extraSettings(), config.network()));
        Map<String, String> auto = new java.util.LinkedHashMap<>();
        auto.put("port", Integer.toString(port));
        if (InstanceTls.enabled(dir)) {
            dir.requireTlsInHba(); // after every line is written: the client networks' too
            auto.putAll(InstanceTls.settings(dir));
        }
        dir.writeAutoConf(auto, key -> false);
    }

    private void requireAwaitingRecovery(InstanceId id, InstanceDirectory dir, InstanceRecord record) {
        if (!InstanceRecord.ORIGIN_RESTORE.equals(record.origin())) {
            throw new IllegalStateException("instance " + id + " was not allocated for a restore");
        }
        if (server.isRunning(id, dir)) {
            throw new IllegalStateException("instance " + id + " is already running");
        }
        if (record.recovered() && !Files.exists(dir.dataDir().resolve(RecoverySetup.RECOVERY_SIGNAL))) {
            throw new IllegalStateException("instance " + id + " has already finished its recovery");
        }
    }

    /** The record's credentials, or the standard ones: a torn or foreign record must not make an instance impossible to remove. */
    private static InstanceCredentials credentialsForRemoval(InstanceId id, InstanceDirectory dir) {
        try {
            return dir.readRecord().map(InstanceRecord::credentials).orElse(InstanceCredentials.standard(id));
        } catch (IllegalStateException e) {
            LOG.warn("destroying {} despite its unreadable record: {}", id, e.getMessage());
            return InstanceCredentials.standard(id);
        }
    }

    /** Removes what a failed create left: server, files, secrets. Never throws over the original failure. */
    private void discard(InstanceId id, InstanceDirectory dir, InstanceCredentials credentials) {
        try {
            if (dir.hasPidFile()) {
                server.stop(id, dir, PostgresServer.Shutdown.IMMEDIATE);
            }
        } catch (RuntimeException e) {
            LOG.warn("could not stop the half-created instance {}: {}", id, e.getMessage());
        }
        dir.deleteQuietly();
        forgetTlsQuietly(id);
        removeUserQuietly(id, dir);
        try {
            secrets.delete(credentials.adminSecret());
            secrets.delete(credentials.replicationSecret());
            secrets.delete(InstanceCredentials.ownerSecret(id));
        } catch (RuntimeException e) {
            LOG.warn("could not delete the secrets of the half-created instance {}: {}", id, e.getMessage());
        }
    }

    private void forgetTlsQuietly(InstanceId id) {
        try {
            tls.forget(id);
        } catch (RuntimeException e) {
            LOG.warn("could not remove the certificate of the half-made instance {}: {}", id, e.getMessage());
        }
    }

    /** Removes the OS user of a half-made instance whose files are gone. Never throws over the original failure. */
    private void removeUserQuietly(InstanceId id, InstanceDirectory dir) {
        if (dir.exists()) {
            return;
        }
        try {
            users.remove(id);
        } catch (RuntimeException e) {
            LOG.warn("could not remove the OS user of the half-made instance {}: {}", id, e.getMessage());
        }
    }

    private InstanceRecord require(InstanceId id, InstanceDirectory dir) {
        return dir.readRecord().orElseThrow(() -> new IllegalArgumentException("no instance " + id));
    }

    private ProvisionedInstance toInstance(InstanceRecord record) {
        return new ProvisionedInstance(record.instanceId(), config.network().listenAddress(), record.port(), DATABASE, record.credentials(),
                directories.of(record.instanceId()).dataDir(), record.postgresVersion());
    }

    /** Stops the background flush of a restored instance's files, if one runs; returns the files it flushed. */
    private long stopWriteback(InstanceId id) {
        DataDirWriteback writeback = writebacks.remove(id);
        if (writeback == null) {
            return 0;
        }
        writeback.close();
        return writeback.filesFlushed();
    }

    private Object lockOf(InstanceId id) {
        return locks.computeIfAbsent(id, k -> new Object());
    }
}
