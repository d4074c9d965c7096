package io.tideline.archiver.wal;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tideline.archiver.basebackup.BaseBackupBench;
import io.tideline.core.basebackup.BackupManifest;
import io.tideline.core.ids.InstanceId;
import io.tideline.core.instance.ProvisionedInstance;
import io.tideline.core.registry.RegisteredInstance;
import io.tideline.core.storage.BucketGrant;
import io.tideline.core.storage.BucketLayout;
import io.tideline.core.storage.ObjectStoreSettings;
import io.tideline.core.storage.ObjectStores;
import io.tideline.core.storage.encryption.EncryptionSettings;
import io.tideline.core.storage.encryption.KeyringKeyService;
import io.tideline.core.storage.encryption.ObjectStoreEncryption;
import io.tideline.core.tls.CertificateRequest;
import io.tideline.core.wal.Lsn;
import io.tideline.core.wal.WalSegmentName;
import io.tideline.platform.local.secrets.DirectorySecretStore;
import io.tideline.platform.local.storage.EmbeddedStorageProvisioner;
import io.tideline.testkit.PostgresClusters;
import io.tideline.testkit.ProcessCpu;
import io.tideline.testkit.S3Server;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code bench/encryption-e2e.sh}: what encryption at rest costs per GiB end to end, each operation run with
 * encryption on and off on the same database, the same settings and the same S3 server over the same TLS, the two
 * interleaved (on, off, off, on, …) so that drift hits both. Not a test (its name matches neither surefire's nor
 * failsafe's patterns); a {@code main} run with the archiver's test class path, as {@code BaseBackupBench}.
 *
 * <p>One PostgreSQL cluster (the testkit's, {@code pgbench -i -s bench.scale} in {@code postgres}, and a database
 * {@code walgen} that writes the WAL and is emptied again after each run's WAL, so every backup is of the same data), one S3 server with TLS (the testkit's, its own JVM, a certificate of a
 * Tideline CA), and two registered instances on that cluster, {@code encbench-on} and {@code encbench-off}, each with
 * its own bucket, keys and replication slot: the only difference between them is {@code tideline.encryption.enabled}.
 * This JVM is the archiver: it takes the base backups through the archiver's own data path
 * ({@link BaseBackupBench.Backups}) and streams the WAL through the archiver's own {@link WalStreams} (flush interval
 * 1 s, as {@code bench/wal-archiving.sh}). Each run of a mode, in this order:
 * <ol>
 *   <li><b>base backup</b>: a full backup of the cluster;</li>
 *   <li><b>WAL sustained</b>: the stream running, {@code pgbench -i -s bench.wal-scale walgen} writes its WAL while
 *       the stream stores it; timed from the writer's start until every byte is stored (the store confirmed the
 *       last complete segment);</li>
 *   <li><b>WAL catch-up</b>: the stream stopped, the same WAL written again as a backlog, then the stream started:
 *       timed until the backlog is stored;</li>
 *   <li><b>restore</b>: a JVM of its own ({@code io.tideline.restore.RestoreDataPathBench}, the restore's data path)
 *       restores this run's backup and all WAL from its start through the catch-up's end, twice: its first restore
 *       after start-up, then warm.</li>
 * </ol>
 * CPU is whole processes: this JVM (pg_basebackup, its child, included; pgbench's CPU subtracted), the restore's
 * JVM, and the S3 server's process beside them. Prints the table ({@link EncryptionCostTable}) and writes it to
 * {@code bench.out}; every run's figures go to {@code bench.work/runs.txt}.
 */
public final class EncryptionCostBench {

    private static final Path BIN = Path.of("/usr/lib/postgresql/15/bin");
    private static final String BACKUP = "base backup";
    private static final String SUSTAINED = "WAL sustained (stream live)";
    private static final String CATCH_UP = "WAL catch-up (backlog)";
    private static final String RESTORE_FIRST = "restore, first after start";
    private static final String RESTORE_WARM = "restore, warm";

    private final Path work = Path.of(System.getProperty("bench.work"));
    private final int scale = Integer.getInteger("bench.scale", 30);
    private final int walScale = Integer.getInteger("bench.wal-scale", 32);
    private final int runs = Integer.getInteger("bench.runs", 3);
    private final String restoreClassPath = System.getProperty("bench.restore-cp");
    private final Clock clock = Clock.systemUTC();
    private final EncryptionCostTable table = new EncryptionCostTable();

    /** One of the two registered instances, with what the bench needs to drive it. */
    private record Side(boolean encrypted, RegisteredInstance instance, ObjectStores stores, WalStreams streams,
                        StoredThrough stored, String slot) {
        String label() {
            return encrypted ? "on" : "off";
        }
    }

    /** What the stream told the store confirmed: the furthest complete segment's end, and the stored bytes. */
    private static final class StoredThrough implements WalEvents {
        final AtomicReference<Lsn> through = new AtomicReference<>(Lsn.parse("0/0"));
        final AtomicLong storedBytes = new AtomicLong();

        @Override
        public void segmentStored(InstanceId instance, StoredWalObject object) {
            if (!object.partial()) {
                storedBytes.addAndGet(object.storedBytes());
                through.accumulateAndGet(object.end(), (a, b) -> a.isBefore(b) ? b : a);
            }
        }

        @Override
        public void gapDetected(WalGap gap) {
            // the bench moves a stopped stream's slot on to now (what the other side wrote meanwhile is not its
            // work); the stream then goes on from there, as after any gap
        }
    }

    private EncryptionCostBench() {
    }

    public static void main(String[] args) {
        int status = 0;
        try {
            new EncryptionCostBench().run();
        } catch (Throwable e) {
            e.printStackTrace();
            status = 1;
        }
        System.exit(status); // no thread left behind keeps the JVM (and the script) waiting
    }

    private void run() throws Exception {
        if (restoreClassPath == null) {
            throw new IllegalArgumentException("bench.restore-cp is not set (the restore-service test class path)");
        }
        Files.createDirectories(work);
        DirectorySecretStore secrets = new DirectorySecretStore(work.resolve("secrets"));
        SecureRandom random = new SecureRandom();
        log("S3 server with TLS and a PostgreSQL cluster under %s", work);
        try (S3Server s3 = S3Server.startWithTls(work.resolve("s3"), secrets,
                     CertificateRequest.server(S3Server.TLS_IDENTITY, List.of(), List.of("127.0.0.1")));
             PostgresClusters clusters = PostgresClusters.start(work.resolve("pg"), secrets);
             BaseBackupBench.Backups backups = new BaseBackupBench.Backups(clock)) {
            ObjectStoreSettings storeSettings = ObjectStoreSettings.defaults(s3.endpoint()).withRegion(s3.region())
                    .withTrustedCa(s3.caFile().orElseThrow());
            long s3Pid = s3.process().processHandle().orElseThrow().pid();
            ProvisionedInstance server = clusters.create("encbench");
            String adminPassword = secrets.get(server.adminSecret());
            String replicationPassword = secrets.get(server.replicationSecret());
            EmbeddedStorageProvisioner storage = new EmbeddedStorageProvisioner(s3.adminClient(), s3.identitiesDir(), secrets,
                    storeSettings, clock, random);
            WalSettings d = WalSettings.defaults();
            WalSettings walSettings = new WalSettings(Duration.ofSeconds(1), Duration.ofSeconds(1), d.compressionLevel(),
                    "tl_" + WalSettings.INSTANCE_TOKEN, d.retryInitialDelay(), d.retryMaxDelay(), d.idlePoll(), d.connectTimeout(),
                    d.socketTimeout(), d.stopTimeout(), d.idleRelease(), d.heartbeatInterval());
            List<Side> sides = new ArrayList<>();
            for (boolean encrypted : List.of(true, false)) {
                InstanceId id = InstanceId.of("encbench-" + (encrypted ? "on" : "off"));
                BucketGrant grant = storage.provision(id);
                RegisteredInstance instance = new RegisteredInstance(id, id.value(), server.host(), server.port(), server.database(),
                        server.adminUser(), server.adminSecret(), server.replicationUser(), server.replicationSecret(), grant.bucket(),
                        grant.accessKeyRef(), grant.secretKeyRef(), server.majorVersion(), BucketLayout.DEFAULT.walSegmentSize(),
                        Optional.empty(), Optional.empty(), Optional.empty(), clock.instant());
                ObjectStores stores = new ObjectStores(storeSettings, secrets, clock, new ObjectStoreEncryption(
                        encrypted ? EncryptionSettings.defaults() : EncryptionSettings.disabled(),
                        new KeyringKeyService(secrets, clock, random), random));
                StoredThrough stored = new StoredThrough();
                sides.add(new Side(encrypted, instance, stores, new WalStreams(walSettings, secrets, stores, stored,
                        new SimpleMeterRegistry(), clock), stored, walSettings.slotFor(id)));
            }
            try (Connection db = clusters.connect(server); Statement st = db.createStatement()) {
                st.execute("ALTER SYSTEM SET max_wal_size = '4GB'");
                st.execute("SELECT pg_reload_conf()");
                st.execute("CREATE DATABASE walgen");
                log("pgbench -i -s %d (the database backed up); -s %d in walgen writes the WAL of each WAL run", scale, walScale);
                pgbench(server, adminPassword, server.database(), "-s", Integer.toString(scale));
                for (Side side : sides) {
                    // made now, so that a side's first stream starts at its slot, before its first backup's start
                    exists(db, "SELECT pg_create_physical_replication_slot('" + side.slot() + "', true)");
                }
                st.execute("CHECKPOINT");
                for (int r = 1; r <= runs; r++) {
                    // on, off, off, on, on, off …: each side goes first every other round
                    List<Side> order = r % 2 == 1 ? sides : List.of(sides.get(1), sides.get(0));
                    for (Side side : order) {
                        log("round %d of %d, encryption %s", r, runs, side.label());
                        oneRun(side, server, db, adminPassword, replicationPassword, backups, storeSettings, secrets, s3Pid, r);
                    }
                }
            } finally {
                for (Side side : sides) {
                    side.streams().close();
                    side.stores().close();
                }
            }
            String header = String.format(Locale.ROOT, "Encryption at rest, end to end: pgbench -s %d (base backup), WAL of pgbench -i -s %d"
                            + " per WAL run, %d run(s) each side interleaved, backup zstd %d in parts of %d MiB, WAL zstd %d, S3 over TLS;"
                            + " %d cores, %s; median [min–max]; on/off = ratio of the medians (1.00 = no cost)%n%n",
                    scale, walScale, runs, backups.level(), backups.partRawBytes() >> 20, walSettings.compressionLevel(),
                    Runtime.getRuntime().availableProcessors(), Instant.now());
            String out = header + table.markdown();
            System.out.println();
            System.out.println(out);
            String file = System.getProperty("bench.out");
            if (file != null) {
                Files.writeString(Path.of(file), out);
            }
        }
    }

    private void oneRun(Side side, ProvisionedInstance server, Connection db, String adminPassword, String replicationPassword,
                        BaseBackupBench.Backups backups, ObjectStoreSettings storeSettings, DirectorySecretStore secrets,
                        long s3Pid, int round) throws Exception {
        RegisteredInstance instance = side.instance();
        // What the other side wrote since this side last streamed is not this side's work: its slot moves on to now,
        // and a checkpoint lets the server drop that WAL (the stream goes on from the slot, as after a gap: the
        // archiver then logs a "WAL gap" ERROR, which here is expected). Not timed either way.
        exists(db, "SELECT pg_replication_slot_advance('" + side.slot() + "', pg_current_wal_lsn())");
        exists(db, "SELECT 1 FROM (SELECT pg_switch_wal()) s");
        try (Statement st = db.createStatement()) {
            st.execute("CHECKPOINT");
        }

        // 1. base backup
        double s3Cpu0 = ProcessCpu.of(s3Pid);
        BaseBackupBench.Taken backup = backups.take(instance, replicationPassword, side.stores().forInstance(instance.id()));
        BackupManifest manifest = backup.manifest();
        record(new EncryptionCostTable.Run(BACKUP, side.encrypted(), backup.seconds(), backup.cpuSeconds(),
                ProcessCpu.of(s3Pid) - s3Cpu0, manifest.rawBytes(), manifest.storedBytes()), round);

        // the stream catches up with the backup's WAL (not timed)
        side.streams().start(instance);
        awaitStored(side, switchWal(db), Duration.ofMinutes(10));

        // 2. sustained: the stream live while walgen is rewritten
        Lsn from = flushLsn(db);
        long stored0 = side.stored().storedBytes.get();
        double cpu0 = ProcessCpu.self();
        s3Cpu0 = ProcessCpu.of(s3Pid);
        long t0 = System.nanoTime();
        double writerCpu = pgbench(server, adminPassword, "walgen", "-s", Integer.toString(walScale));
        Lsn end = switchWal(db);
        awaitStored(side, end, Duration.ofMinutes(30));
        double seconds = (System.nanoTime() - t0) / 1e9;
        record(new EncryptionCostTable.Run(SUSTAINED, side.encrypted(), seconds, ProcessCpu.self() - cpu0 - writerCpu,
                ProcessCpu.of(s3Pid) - s3Cpu0, end.bytesSince(from), side.stored().storedBytes.get() - stored0), round);

        // 3. catch-up: the same WAL again as a backlog, written while the stream is stopped
        side.streams().stop(List.of(instance.id()), true);
        Lsn backlogFrom = flushLsn(db);
        pgbench(server, adminPassword, "walgen", "-s", Integer.toString(walScale));
        Lsn backlogEnd = switchWal(db);
        stored0 = side.stored().storedBytes.get();
        cpu0 = ProcessCpu.self();
        s3Cpu0 = ProcessCpu.of(s3Pid);
        t0 = System.nanoTime();
        side.streams().start(instance);
        awaitStored(side, backlogEnd, Duration.ofMinutes(30));
        seconds = (System.nanoTime() - t0) / 1e9;
        record(new EncryptionCostTable.Run(CATCH_UP, side.encrypted(), seconds, ProcessCpu.self() - cpu0,
                ProcessCpu.of(s3Pid) - s3Cpu0, backlogEnd.bytesSince(backlogFrom), side.stored().storedBytes.get() - stored0), round);
        side.streams().stop(List.of(instance.id()), true);
        // walgen's tables dropped again, so that every backup is of the same data (pgbench -s scale)
        pgbench(server, adminPassword, "walgen", "-I", "d");

        // 4. restore of this run's backup and its WAL, in a JVM of its own: first after start, then warm
        restore(side, manifest, backlogEnd, storeSettings, secrets, s3Pid, round);
    }

    private void restore(Side side, BackupManifest manifest, Lsn walEnd, ObjectStoreSettings storeSettings,
                         DirectorySecretStore secrets, long s3Pid, int round) throws Exception {
        BucketLayout layout = BucketLayout.DEFAULT;
        List<String> plan = new ArrayList<>();
        Path results = work.resolve("restore-" + side.label() + "-" + round + ".txt");
        plan.add("endpoint " + storeSettings.endpoint().orElseThrow());
        plan.add("ca " + storeSettings.trustedCa().orElseThrow());
        plan.add("secrets " + secrets.root());
        plan.add("instance " + side.instance().id().value());
        plan.add("encryption " + side.label());
        plan.add("s3-pid " + s3Pid);
        plan.add("work " + work.resolve("restore"));
        plan.add("results " + results);
        plan.add("manifest " + layout.backupManifest(manifest.backupId()));
        long walBytes = 0;
        long storedWal = 0;
        var store = side.stores().forInstance(side.instance().id());
        for (WalSegmentName s = WalSegmentName.of(manifest.timeline(), manifest.startLsn(), layout.walSegmentSize());
             s.endLsn().compareTo(walEnd) <= 0; s = s.next()) {
            String key = layout.walSegment(s);
            plan.add("wal " + key);
            walBytes += layout.walSegmentSize();
            storedWal += store.head(key).orElseThrow(() -> new IllegalStateException(key + " is not stored")).size();
        }
        Path planFile = work.resolve("restore-plan.txt");
        Files.write(planFile, plan, StandardCharsets.UTF_8);
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g",
                "-cp", restoreClassPath, "io.tideline.restore.RestoreDataPathBench", planFile.toString());
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(work.resolve("restore-" + side.label() + "-" + round + ".log").toFile()).start();
        if (!p.waitFor(60, TimeUnit.MINUTES) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException("the restore JVM failed; see " + work.resolve("restore-" + side.label() + "-" + round + ".log"));
        }
        long plain = manifest.rawBytes() + walBytes;
        long stored = manifest.storedBytes() + storedWal;
        for (String line : Files.readAllLines(results, StandardCharsets.UTF_8)) {
            String[] f = line.split(" ");
            if (Long.parseLong(f[5]) != plain) {
                throw new IllegalStateException("the restore wrote " + f[5] + " bytes, expected " + plain + ": " + line);
            }
            record(new EncryptionCostTable.Run(f[1].equals("first") ? RESTORE_FIRST : RESTORE_WARM, side.encrypted(),
                    Double.parseDouble(f[2]), Double.parseDouble(f[3]), Double.parseDouble(f[4]), plain, stored), round);
        }
    }

    private void record(EncryptionCostTable.Run run, int round) throws Exception {
        table.add(run);
        String line = String.format(Locale.ROOT, "round %d, %-28s encryption %-3s %7.2f s, CPU %6.2f s, S3 server CPU %6.2f s,"
                        + " %6.0f MiB plain, %6.1f MiB stored", round, run.operation(), run.encrypted() ? "on" : "off", run.seconds(),
                run.cpuSeconds(), run.s3CpuSeconds(), run.plainBytes() / 1048576.0, run.storedBytes() / 1048576.0);
        log("%s", line);
        Files.writeString(work.resolve("runs.txt"), line + "\n", StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
    }

    private static void awaitStored(Side side, Lsn end, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (side.stored().through.get().isBefore(end)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(side.instance().id() + ": WAL not stored through " + end + " within " + timeout
                        + " (stored through " + side.stored().through.get() + ")");
            }
            Thread.sleep(20);
        }
    }

    /** {@code pgbench -i -q <options> database}; returns pgbench's own CPU seconds (to leave out of this JVM's). */
    private double pgbench(ProvisionedInstance server, String password, String database, String... options) throws Exception {
        Path time = work.resolve("pgbench-time.txt");
        List<String> command = new ArrayList<>(List.of("/usr/bin/time", "-f", "%U %S", "-o", time.toString(),
                BIN.resolve("pgbench").toString(), "-i", "-q", "-h", server.host(), "-p", Integer.toString(server.port()),
                "-U", server.adminUser()));
        command.addAll(List.of(options));
        command.add(database);
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectErrorStream(true).redirectOutput(work.resolve("pgbench.log").toFile());
        pb.environment().put("PGPASSWORD", password);
        Process p = pb.start();
        if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException("pgbench -i " + String.join(" ", options) + " " + database + " failed; see "
                    + work.resolve("pgbench.log"));
        }
        String[] t = Files.readString(time, StandardCharsets.UTF_8).trim().split("\\s+");
        return Double.parseDouble(t[t.length - 2]) + Double.parseDouble(t[t.length - 1]);
    }

    private static Lsn switchWal(Connection db) throws SQLException {
        return WalTestBed.switchWal(db);
    }

    private static Lsn flushLsn(Connection db) throws SQLException {
        return WalTestBed.query(db, "SELECT pg_current_wal_flush_lsn()");
    }

    private static boolean exists(Connection db, String sql) throws SQLException {
        try (Statement st = db.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            return rs.next();
        }
    }

    private static void log(String format, Object... args) {
        System.out.printf(Locale.ROOT, "[bench %s] " + format + "%n", java.util.stream.Stream.concat(
                java.util.stream.Stream.of(Instant.now()), java.util.stream.Stream.of(args)).toArray());
    }
}
