package io.tideline.archiver.basebackup;

import io.tideline.core.basebackup.BackupLabel;
import io.tideline.core.basebackup.BackupManifest;
import io.tideline.core.ids.BackupId;
import io.tideline.core.ids.InstanceId;
import io.tideline.core.registry.RegisteredInstance;
import io.tideline.core.secrets.SecretRef;
import io.tideline.core.storage.BucketLayout;
import io.tideline.core.storage.ObjectStore;
import io.tideline.core.storage.ObjectStoreSettings;
import io.tideline.core.storage.ObjectStores;
import io.tideline.platform.local.secrets.DirectorySecretStore;
import io.tideline.platform.local.storage.EmbeddedStorageProvisioner;
import io.tideline.processes.S3ServerProcess;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.LongSupplier;

/**
 * {@code bench/base-backup.sh}'s Tideline side. Two modes, so the S3 server is one process for the whole
 * run, shared with pgBackRest's S3 repository, and its start is not in any measurement:
 * <ul>
 *   <li>{@code s3 workDir} starts the embedded S3 server (S3Proxy in its own process, as in the runtime),
 *       provisions the instance {@code bench} (its bucket, identity and keys under {@code workDir/secrets})
 *       and a bucket {@code pgbackrest} for the admin identity, writes
 *       {@code S3 <endpoint> <pid> <adminAccessKey>} to {@code workDir/s3.endpoint}, and serves until its
 *       stdin closes;</li>
 *   <li>{@code backups host port replicationUser workDir endpoint [workers]} is one long-running JVM, as
 *       the archiver is: for each zstd level read from stdin (a line each) it takes one full backup of the
 *       running cluster through the archiver's own data path ({@link BackupStream}:
 *       pg_basebackup → tar reader → parts compressed and hashed on the {@link PartPipeline}, uploaded
 *       concurrently and encrypted as the archiver does → manifest last) into that server, and appends
 *       {@code RESULT <seconds> <rawBytes> <storedBytes> <parts> <cpuSeconds>} to {@code workDir/tideline-results}:
 *       the CPU of this whole process during the backup, pg_basebackup's included (a reaped child's time
 *       is the parent's).</li>
 * </ul>
 * Kafka and the WAL wait are left out: they do not move bytes. The password is read from {@code PGPASSWORD}.
 */
public final class BaseBackupBench {

    private static final InstanceId ID = InstanceId.of("bench");
    private static final String ADMIN_SECRET_ENV = "BENCH_S3_ADMIN_SECRET";

    private BaseBackupBench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length >= 2 && args[0].equals("s3")) {
            serve(Path.of(args[1]));
        } else if (args.length >= 6 && args[0].equals("backups")) {
            backup(args);
        } else {
            System.err.println("usage: BaseBackupBench s3 workDir | backups host port replicationUser workDir endpoint [workers]");
            System.exit(2);
        }
    }

    private static void serve(Path work) throws Exception {
        String adminSecret = System.getenv(ADMIN_SECRET_ENV);
        if (adminSecret == null) {
            System.err.println(ADMIN_SECRET_ENV + " is not set");
            System.exit(2);
        }
        Files.createDirectories(work.resolve("s3/data"));
        Files.createDirectories(work.resolve("s3/identities"));
        Files.createDirectories(work.resolve("secrets"));
        try (S3ServerProcess s3 = new S3ServerProcess(new S3ServerProcess.Settings(work.resolve("s3/data"),
                work.resolve("s3/identities"), work.resolve("s3/s3-server.log"), 0, "admin-bench",
                adminSecret, S3ServerProcess.DEFAULT_START_TIMEOUT, "1g"))) {
            s3.start();
            ObjectStoreSettings storeSettings = ObjectStoreSettings.defaults(s3.endpoint());
            DirectorySecretStore secrets = new DirectorySecretStore(work.resolve("secrets"));
            Clock clock = Clock.systemUTC();
            try (var admin = io.tideline.core.storage.S3Clients.create(storeSettings, s3.adminAccessKey(), s3.adminSecretKey())) {
                new EmbeddedStorageProvisioner(admin, s3.identitiesDir(), secrets, storeSettings, clock, new SecureRandom())
                        .provision(ID);
                admin.createBucket(b -> b.bucket("pgbackrest"));
            }
            long pid = s3.processHandle().orElseThrow().pid();
            // a file, not stdout: the server's and the SDK's logs go to stdout too
            Path ready = work.resolve("s3.endpoint");
            Files.writeString(work.resolve("s3.endpoint.tmp"), "S3 " + s3.endpoint() + " " + pid + " " + s3.adminAccessKey() + "\n");
            Files.move(work.resolve("s3.endpoint.tmp"), ready, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            // serve until the script closes our stdin
            while (System.in.read() >= 0) {
                // nothing to read
            }
        }
    }

    private static void backup(String[] args) throws Exception {
        String password = System.getenv("PGPASSWORD");
        if (password == null) {
            System.err.println("PGPASSWORD is not set");
            System.exit(2);
        }
        Path work = Path.of(args[4]);
        URI endpoint = URI.create(args[5]);
        BackupSettings d = BackupSettings.defaults();
        int workers = args.length > 6 ? Integer.parseInt(args[6]) : d.compressionWorkers();
        ObjectStoreSettings storeSettings = ObjectStoreSettings.defaults(endpoint);
        DirectorySecretStore secrets = new DirectorySecretStore(work.resolve("secrets"));
        Clock clock = Clock.systemUTC();
        Path results = work.resolve("tideline-results");
        // One JVM for every Tideline run of the bench, as the archiver is one long-running process: the
        // first backup pays the JIT and the clients' start (it counts: it is in min/max), later ones do not.
        try (ObjectStores stores = new ObjectStores(storeSettings, secrets, clock);
             PartPipeline pipeline = PartPipeline.of(withLevel(d, d.compressionLevel(), workers));
             var commands = new java.io.BufferedReader(new java.io.InputStreamReader(System.in, StandardCharsets.US_ASCII))) {
            ObjectStore store = stores.forInstance(ID);
            RegisteredInstance instance = new RegisteredInstance(ID, "bench", args[1], Integer.parseInt(args[2]),
                    "postgres", args[3], SecretRef.of("bench/unused"), args[3], SecretRef.of("bench/unused"),
                    BucketLayout.bucketName(ID), SecretRef.of("bench/unused"), SecretRef.of("bench/unused"), 15,
                    BucketLayout.DEFAULT.walSegmentSize(), Optional.empty(), Optional.empty(), Optional.empty(), clock.instant());
            for (String line; (line = commands.readLine()) != null; ) {
                int level = Integer.parseInt(line.trim());
                String result = takeOne(instance, password, store, pipeline, withLevel(d, level, workers), clock).line();
                Files.writeString(results, result + "\n", java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            }
        }
    }

    private static BackupSettings withLevel(BackupSettings d, int level, int workers) {
        return new BackupSettings(d.postgresBinDir(), level, workers, d.partRawBytes(),
                d.partsInFlight(), OptionalLong.empty(), true, d.walWaitTimeout(), d.walPollInitial(), d.walPollMax(),
                d.progressInterval(), d.registryCatchUpTimeout(), d.unknownInstanceGrace(), d.connectTimeout());
    }

    /** One backup's manifest (stored), wall seconds and this whole process's CPU seconds meanwhile. */
    public record Taken(BackupManifest manifest, double seconds, double cpuSeconds) {
        /** {@code RESULT <seconds> <rawBytes> <storedBytes> <parts> <cpuSeconds>}, as bench/base-backup.sh reads it. */
        public String line() {
            return String.format(java.util.Locale.ROOT, "RESULT %.3f %d %d %d %.3f", seconds, manifest.rawBytes(),
                    manifest.storedBytes(), manifest.parts().size(), cpuSeconds);
        }
    }

    /**
     * The archiver's backup data path for other benches (bench/encryption-e2e.sh): one {@link PartPipeline} at the
     * archiver's default level, workers and part size, kept for every backup as the archiver keeps it.
     */
    public static final class Backups implements AutoCloseable {
        // as bench/base-backup.sh: fast checkpoint, unthrottled
        private final BackupSettings settings = withLevel(BackupSettings.defaults(), BackupSettings.defaults().compressionLevel(),
                BackupSettings.defaults().compressionWorkers());
        private final PartPipeline pipeline = PartPipeline.of(settings);
        private final Clock clock;

        public Backups(Clock clock) {
            this.clock = clock;
        }

        /** The zstd level of the parts. */
        public int level() {
            return settings.compressionLevel();
        }

        /** The raw bytes of a part. */
        public long partRawBytes() {
            return settings.partRawBytes();
        }

        public Taken take(RegisteredInstance instance, String replicationPassword, ObjectStore store) throws Exception {
            return takeOne(instance, replicationPassword, store, pipeline, settings, clock);
        }

        @Override
        public void close() {
            pipeline.close();
        }
    }

    /** One backup, its manifest stored last. */
    private static Taken takeOne(RegisteredInstance instance, String password, ObjectStore store, PartPipeline pipeline,
                                  BackupSettings settings, Clock clock) throws Exception {
        var threads = java.lang.management.ManagementFactory.getThreadMXBean();
        Instant started = clock.instant();
        double cpu0 = processCpuSeconds();
        long waited0 = pipeline.waited().toNanos();
        long t0 = System.nanoTime();
        long[] marks = {t0, 0, 0}; // last byte read; the reading thread's CPU at the label
        BackupStream.Job job = new BackupStream.Job(instance, password, store, BucketLayout.DEFAULT,
                BackupId.of(started, "bench"), "bench", started);
        BackupManifest manifest = new BackupStream(settings, clock, pipeline).take(job, new BackupStream.Listener() {
            @Override
            public void started(BackupLabel label, LongSupplier storedBytes) {
                marks[1] = threads.getCurrentThreadCpuTime();
                System.err.printf("phase: label (stream begun) after %.3f s%n", (System.nanoTime() - t0) / 1e9);
            }

            @Override
            public void rawBytes(long bytes) {
                marks[0] = System.nanoTime();
            }

            @Override
            public void totalEstimate(long bytes) {
            }
        });
        System.err.printf("phase: last byte of the stream read after %.3f s (the stream waited %.3f s for parts in flight;"
                        + " the reading thread's CPU from the label on %.3f s)%n", (marks[0] - t0) / 1e9,
                (pipeline.waited().toNanos() - waited0) / 1e9, (threads.getCurrentThreadCpuTime() - marks[1]) / 1e9);
        System.err.printf("phase: parts stored after %.3f s%n", (System.nanoTime() - t0) / 1e9);
        store.put(BucketLayout.DEFAULT.backupManifest(manifest.backupId()), manifest.toJson(), Map.of());
        double seconds = (System.nanoTime() - t0) / 1e9;
        double cpu = processCpuSeconds() - cpu0;
        Thread.getAllStackTraces().keySet().stream()
                .map(t -> Map.entry(t.getName(), threads.getThreadCpuTime(t.getId()) / 1e9))
                .filter(e -> e.getValue() > 0.05).sorted(Map.Entry.comparingByValue(java.util.Comparator.reverseOrder()))
                .forEach(e -> System.err.printf("thread cpu (JVM so far): %-40s %.2f s%n", e.getKey(), e.getValue()));
        return new Taken(manifest, seconds, cpu);
    }

    /** This whole process's CPU seconds, the waited-for children included ({@link io.tideline.testkit.ProcessCpu}). */
    static double processCpuSeconds() throws java.io.IOException {
        return io.tideline.testkit.ProcessCpu.self();
    }
}
