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
 * {@code bench/base-backup.sh}'s Tideline side: one full backup of a running cluster through the
 * archiver's own data path ({@link BackupStream}: pg_basebackup → tar reader → zstd frames → parallel
 * multipart uploads, sha256 on the fly, manifest last) into the embedded S3 server, started here in its
 * own process as in the runtime. Kafka and the WAL wait are left out: they do not move bytes.
 *
 * <p>Arguments: {@code host port replicationUser workDir [compressionLevel] [compressionWorkers]};
 * the password is read from {@code PGPASSWORD}. Prints one line
 * {@code RESULT tideline-zstd<level> <seconds> <rawBytes> <storedBytes> <parts>}.
 */
public final class BaseBackupBench {

    private BaseBackupBench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 4) {
            System.err.println("usage: BaseBackupBench host port replicationUser workDir [level] [workers]");
            System.exit(2);
        }
        String password = System.getenv("PGPASSWORD");
        if (password == null) {
            System.err.println("PGPASSWORD is not set");
            System.exit(2);
        }
        Path work = Path.of(args[3]);
        int level = args.length > 4 ? Integer.parseInt(args[4]) : BackupSettings.defaults().compressionLevel();
        int workers = args.length > 5 ? Integer.parseInt(args[5]) : BackupSettings.defaults().compressionWorkers();
        InstanceId id = InstanceId.of("bench");
        Files.createDirectories(work.resolve("s3/data"));
        Files.createDirectories(work.resolve("s3/identities"));
        Files.createDirectories(work.resolve("secrets"));

        try (S3ServerProcess s3 = new S3ServerProcess(new S3ServerProcess.Settings(work.resolve("s3/data"),
                work.resolve("s3/identities"), work.resolve("s3/s3-server.log"), 0, "admin-bench",
                "bench-admin-secret", S3ServerProcess.DEFAULT_START_TIMEOUT, "512m"))) {
            s3.start();
            ObjectStoreSettings storeSettings = ObjectStoreSettings.defaults(s3.endpoint());
            DirectorySecretStore secrets = new DirectorySecretStore(work.resolve("secrets"));
            Clock clock = Clock.systemUTC();
            try (var admin = io.tideline.core.storage.S3Clients.create(storeSettings, s3.adminAccessKey(), s3.adminSecretKey());
                 ObjectStores stores = new ObjectStores(storeSettings, secrets, clock)) {
                new EmbeddedStorageProvisioner(admin, s3.identitiesDir(), secrets, storeSettings, clock, new SecureRandom())
                        .provision(id);
                ObjectStore store = stores.forInstance(id);
                RegisteredInstance instance = new RegisteredInstance(id, "bench", args[0], Integer.parseInt(args[1]),
                        "postgres", args[2], SecretRef.of("bench/unused"), args[2], SecretRef.of("bench/unused"),
                        BucketLayout.bucketName(id), SecretRef.of("bench/unused"), SecretRef.of("bench/unused"), 15,
                        BucketLayout.DEFAULT.walSegmentSize(), Optional.empty(), Optional.empty(), Optional.empty(), clock.instant());
                BackupSettings d = BackupSettings.defaults();
                BackupSettings settings = new BackupSettings(d.postgresBinDir(), level, workers, d.partRawBytes(),
                        OptionalLong.empty(), true, d.walWaitTimeout(), d.walPollInitial(), d.walPollMax(),
                        d.progressInterval(), d.registryCatchUpTimeout(), d.unknownInstanceGrace(), d.connectTimeout());

                Instant started = clock.instant();
                long t0 = System.nanoTime();
                BackupStream.Job job = new BackupStream.Job(instance, password, store, BucketLayout.DEFAULT,
                        BackupId.of(started, "bench"), "bench", started);
                BackupManifest manifest = new BackupStream(settings, clock).take(job, new BackupStream.Listener() {
                            @Override
                            public void started(BackupLabel label, LongSupplier storedBytes) {
                            }

                            @Override
                            public void rawBytes(long bytes) {
                            }

                            @Override
                            public void totalEstimate(long bytes) {
                            }
                        });
                store.put(BucketLayout.DEFAULT.backupManifest(manifest.backupId()), manifest.toJson(), Map.of());
                double seconds = (System.nanoTime() - t0) / 1e9;
                System.out.printf("RESULT tideline-zstd%d%s %.2f %d %d %d%n", level, workers > 0 ? "x" + workers : "",
                        seconds, manifest.rawBytes(), manifest.storedBytes(), manifest.parts().size());
            }
        }
    }
}
