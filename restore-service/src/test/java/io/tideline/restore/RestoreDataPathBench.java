package io.tideline.restore;

import com.github.luben.zstd.ZstdInputStream;
import io.tideline.core.basebackup.BackupManifest;
import io.tideline.core.ids.InstanceId;
import io.tideline.core.storage.ObjectStore;
import io.tideline.core.storage.ObjectStoreSettings;
import io.tideline.core.storage.ObjectStores;
import io.tideline.core.storage.encryption.EncryptionSettings;
import io.tideline.core.storage.encryption.KeyringKeyService;
import io.tideline.core.storage.encryption.ObjectStoreEncryption;
import io.tideline.platform.local.secrets.DirectorySecretStore;
import io.tideline.testkit.ProcessCpu;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The restore side of {@code bench/encryption-e2e.sh} ({@code io.tideline.archiver.wal.EncryptionCostBench} starts it):
 * a JVM of its own, as a restore service after a deployment, that restores the same backup and WAL twice — its
 * FIRST restore after start-up, then a warm one — through the restore's own data path: the backup's parts by
 * {@link BackupDownloader} (downloaded in parallel, verified, decrypted when encrypted, decompressed, unpacked into
 * a data directory), then every WAL segment of the plan as the restore's WAL session fetches it
 * ({@code getVerified}) and decompressed into a spool file. PostgreSQL's replay is left out: it reads the same
 * plain files whichever way the bucket was written. Before the first, the start-up warm-up of the restore service
 * (its default) runs, untimed, as the service is ready only after it.
 *
 * <p>{@code RestoreDataPathBench <plan file>}; the plan is lines {@code key value}: {@code endpoint}, {@code ca},
 * {@code secrets}, {@code instance}, {@code encryption} (on|off), {@code s3-pid}, {@code work}, {@code results},
 * {@code manifest} (key), {@code wal} (a key per line, in order). Appends
 * {@code RESTORE <first|warm> <seconds> <cpuSeconds> <s3CpuSeconds> <bytes>} to the results file: the CPU of this
 * whole process during the restore and of the S3 server's; bytes = the backup's raw bytes + the WAL's.
 */
public final class RestoreDataPathBench {

    private RestoreDataPathBench() {
    }

    public static void main(String[] args) throws Exception {
        List<String> plan = Files.readAllLines(Path.of(args[0]), StandardCharsets.UTF_8);
        URI endpoint = URI.create(value(plan, "endpoint"));
        Path work = Path.of(value(plan, "work"));
        Path results = Path.of(value(plan, "results"));
        long s3Pid = Long.parseLong(value(plan, "s3-pid"));
        InstanceId instance = InstanceId.of(value(plan, "instance"));
        List<String> wal = plan.stream().filter(l -> l.startsWith("wal ")).map(l -> l.substring(4)).toList();
        ObjectStoreSettings settings = ObjectStoreSettings.defaults(endpoint).withTrustedCa(Path.of(value(plan, "ca")));
        DirectorySecretStore secrets = new DirectorySecretStore(Path.of(value(plan, "secrets")));
        Clock clock = Clock.systemUTC();
        boolean encrypted = value(plan, "encryption").equals("on");
        SecureRandom random = new SecureRandom();
        ObjectStoreEncryption encryption = new ObjectStoreEncryption(encrypted ? EncryptionSettings.defaults()
                : EncryptionSettings.disabled(), new KeyringKeyService(secrets, clock, random), random);
        try (ObjectStores stores = new ObjectStores(settings, secrets, clock, encryption)) {
            // what the restore service does at start-up before it is ready (RestoreServiceWarmUp, on by default):
            // the S3 pool and request path, and a synthetic 16 MiB unpack; not timed, as RestoreBenchmark waits for it
            stores.warmUp();
            RestoreWarmUp.run(16L << 20);
            ObjectStore store = stores.forInstance(instance);
            for (String label : List.of("first", "warm")) {
                double cpu0 = ProcessCpu.self();
                double s3Cpu0 = ProcessCpu.of(s3Pid);
                long t0 = System.nanoTime();
                long bytes = restoreOnce(store, value(plan, "manifest"), wal, work.resolve("restore-" + label));
                double seconds = (System.nanoTime() - t0) / 1e9;
                String line = String.format(Locale.ROOT, "RESTORE %s %.3f %.3f %.3f %d%n", label, seconds,
                        ProcessCpu.self() - cpu0,
                        ProcessCpu.of(s3Pid) - s3Cpu0, bytes);
                Files.writeString(results, line, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            }
        }
    }

    /** The backup into {@code dir/pgdata}, the WAL into {@code dir/spool}; returns the plain bytes written; removes {@code dir}. */
    private static long restoreOnce(ObjectStore store, String manifestKey, List<String> wal, Path dir) throws Exception {
        try {
            BackupManifest manifest = BackupManifest.parse(store.getVerified(manifestKey));
            long bytes = new BackupDownloader(4).restore(store, manifest, dir.resolve("pgdata"), dir.resolve("parts"), b -> {
            });
            Path spool = Files.createDirectories(dir.resolve("spool"));
            for (String key : wal) {
                byte[] stored = store.getVerified(key);
                try (InputStream in = new ZstdInputStream(new ByteArrayInputStream(stored));
                     OutputStream out = Files.newOutputStream(spool.resolve(key.substring(key.lastIndexOf('/') + 1)))) {
                    bytes += in.transferTo(out);
                }
            }
            return bytes;
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static String value(List<String> plan, String key) {
        return plan.stream().filter(l -> l.startsWith(key + " ")).map(l -> l.substring(key.length() + 1)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("the plan has no " + key));
    }
}
