package io.tideline.core.verify;

import io.tideline.core.ids.InstanceId;
import io.tideline.core.storage.ObjectStore;
import io.tideline.core.storage.ObjectStoreSettings;
import io.tideline.core.storage.ObjectStores;
import io.tideline.core.storage.StoredObject;
import io.tideline.platform.local.secrets.DirectorySecretStore;
import io.tideline.platform.local.storage.EmbeddedStorageProvisioner;
import io.tideline.testkit.S3Extension;
import io.tideline.testkit.S3Server;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bench/verify.sh}: how long {@code tideline verify} (core's {@link BucketVerifier}: list, HEAD, read,
 * sha256, continuity) takes per GB against the limit of reading the same bucket: every object GET and drained
 * with the same number of readers, nothing else. Run only on request ({@code -Dit.test=VerifyBenchmark}).
 * Settings: {@code bench.gb} (1), {@code bench.rounds} (3), {@code bench.parallel} (4), {@code bench.out}.
 */
@ExtendWith(S3Extension.class)
class VerifyBenchmark {

    @TempDir
    Path secretsDir;

    @Test
    void verifyAgainstReadingTheBucket(S3Server server) throws Exception {
        double gb = Double.parseDouble(System.getProperty("bench.gb", "1"));
        int rounds = Integer.getInteger("bench.rounds", 3);
        int parallel = Integer.getInteger("bench.parallel", 4);
        ObjectStoreSettings settings = ObjectStoreSettings.defaults(server.endpoint()).withRegion(server.region());
        DirectorySecretStore secrets = new DirectorySecretStore(secretsDir);
        EmbeddedStorageProvisioner provisioner = new EmbeddedStorageProvisioner(server.adminClient(), server.identitiesDir(),
                secrets, settings, Clock.systemUTC(), new SecureRandom());
        InstanceId instance = InstanceId.of("verify-bench");
        provisioner.provision(instance);
        try (ObjectStores stores = new ObjectStores(settings, secrets, Clock.systemUTC())) {
            ObjectStore store = stores.forInstance(instance);
            // Half backup (4 parts), half WAL (16 MiB objects): both kinds of object verify reads.
            long total = (long) (gb * (1L << 30));
            long partBytes = total / 2 / 4;
            int segments = (int) (total / 2 / (16L << 20));
            System.out.println("[bench] seeding " + total + " bytes: 4 backup parts of " + partBytes + ", " + segments + " WAL objects of 16 MiB");
            VerifyBed.seed(store, instance, 4, partBytes, segments, 16L << 20, Instant.parse("2026-12-07T10:00:00Z"));
            long stored = store.list("").stream().mapToLong(StoredObject::size).sum();

            List<Double> limit = new ArrayList<>();
            List<Double> verify = new ArrayList<>();
            for (int r = 0; r < rounds; r++) {
                limit.add(readEverything(store, parallel));
                long t0 = System.nanoTime();
                VerificationReport report = new BucketVerifier(VerifyBed.LAYOUT, parallel, Clock.systemUTC())
                        .verify(store, Optional.empty(), Pace.unlimited());
                verify.add((System.nanoTime() - t0) / 1e9);
                if (!report.isClean()) {
                    throw new AssertionError("the seeded bucket must verify clean: " + report);
                }
                System.out.printf(Locale.ROOT, "[bench] round %d: read %.2f s, verify %.2f s%n", r + 1, limit.get(r), verify.get(r));
            }
            double l = median(limit);
            double v = median(verify);
            double gib = stored / (double) (1L << 30);
            String table = String.format(Locale.ROOT,
                    "bucket: %.2f GiB in %d objects, %d readers, median of %d rounds%n"
                            + "%-34s %8s %10s %8s%n%-34s %8.2f %10.1f %8s%n%-34s %8.2f %10.1f %8.2f%n",
                    gib, store.list("").size(), parallel, rounds,
                    "", "seconds", "MiB/s", "ratio",
                    "limit: GET + drain every object", l, stored / l / (1 << 20), "1.00",
                    "tideline verify (sha256 + checks)", v, stored / v / (1 << 20), v / l);
            System.out.print(table);
            String out = System.getProperty("bench.out");
            if (out != null) {
                Files.writeString(Path.of(out), table);
            }
        } finally {
            provisioner.deprovision(instance);
        }
    }

    /** Seconds to GET every object and drain it, {@code parallel} at a time: the bucket's read limit here. */
    private static double readEverything(ObjectStore store, int parallel) throws Exception {
        List<StoredObject> objects = store.list("");
        ExecutorService pool = Executors.newFixedThreadPool(parallel);
        long t0 = System.nanoTime();
        try {
            List<Future<Long>> reads = new ArrayList<>();
            for (StoredObject o : objects) {
                reads.add(pool.submit(() -> {
                    long n = 0;
                    byte[] buffer = new byte[ObjectReader.BUFFER];
                    try (InputStream in = store.open(o.key())) {
                        int r;
                        while ((r = in.read(buffer)) >= 0) {
                            n += r;
                        }
                    }
                    return n;
                }));
            }
            for (Future<Long> f : reads) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }
}
