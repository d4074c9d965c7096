package io.tideline.archiver.wal;

import com.github.luben.zstd.ZstdCompressCtx;
import io.tideline.core.ids.InstanceId;
import io.tideline.core.secrets.SecretRef;
import io.tideline.core.secrets.SecretStore;
import io.tideline.core.storage.ObjectStore;
import io.tideline.core.storage.Sha256;
import io.tideline.core.storage.encryption.ObjectStoreEncryption;
import io.tideline.testkit.storage.InMemoryObjectStore;
import io.tideline.core.wal.CommitRecordScanner;
import io.tideline.core.wal.Lsn;
import io.tideline.core.wal.WalSegmentName;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Where the archiver's CPU goes per GB of WAL (issue 18.4), stage by stage on one thread, over real WAL
 * segments (a directory of pg_receivewal's or pg_wal's 16 MiB files): the stream thread's work
 * ({@link CompressedSegment}: zstd at the archiver's level + the raw sha256; {@link CommitRecordScanner})
 * and the store path's work on the compressed bytes (MD5 and sha256 of the request body; the encrypting store's
 * putIfAbsentOrSame as the archiver runs it, on memory), each alone, so the sum can be set against the whole process's CPU per GB that
 * {@code bench/wal-archiving.sh} measures, and against {@code zstd -3} of the reference.
 *
 * <p>{@code WalCpuProfile <dir> [level] [rounds]} prints a Markdown table of median seconds per GiB.
 * Pieces of 128 KiB are fed, as XLogData messages arrive.
 */
public final class WalCpuProfile {

    private static final int PIECE = 128 * 1024;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private WalCpuProfile() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int level = args.length > 1 ? Integer.parseInt(args[1]) : WalSettings.defaults().compressionLevel();
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        System.out.print(table(dir, level, rounds));
    }

    /** The profile of the segments in {@code dir} as a Markdown table (empty text if there are none). */
    static String table(Path dir, int level, int rounds) throws Exception {
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.getFileName().toString().matches("[0-9A-F]{24}")).sorted().toList();
        }
        List<byte[]> segments = new ArrayList<>();
        for (Path f : files) {
            segments.add(Files.readAllBytes(f));
        }
        if (segments.isEmpty()) {
            return "";
        }
        long segmentSize = segments.get(0).length;
        double gib = segments.size() * (double) segmentSize / (1L << 30);
        List<byte[]> compressed = new ArrayList<>();
        ObjectStore encrypted = encryptedStore();
        AtomicLong objects = new AtomicLong();
        Stage[] stages = {
            new Stage("CompressedSegment: zstd " + level + " streamed + raw sha256 (the stream thread's main work)", () -> {
                compressed.clear();
                WalSegmentName name = WalSegmentName.parse("000000010000000000000001", segmentSize);
                // one buffer for the whole stream, as the pump has: seal each complete segment, then advance
                try (CompressedSegment buffer = new CompressedSegment(name, level)) {
                    for (byte[] segment : segments) {
                        for (int off = 0; off < segment.length; off += PIECE) {
                            int n = Math.min(PIECE, segment.length - off);
                            buffer.append(buffer.end(), segment, off, n);
                        }
                        compressed.add(buffer.seal().compressed());
                        buffer.advance();
                    }
                }
            }),
            new Stage("  of which zstd " + level + " alone (one shot per segment)", () -> {
                try (ZstdCompressCtx zstd = new ZstdCompressCtx()) {
                    zstd.setLevel(level);
                    zstd.setChecksum(true);
                    for (byte[] segment : segments) {
                        zstd.compress(segment);
                    }
                }
            }),
            new Stage("  of which sha256 of the raw WAL", () -> {
                for (byte[] segment : segments) {
                    MessageDigest d = Sha256.newDigest();
                    for (int off = 0; off < segment.length; off += PIECE) {
                        d.update(segment, off, Math.min(PIECE, segment.length - off));
                    }
                    d.digest();
                }
            }),
            new Stage("CompressedSegment as while a backlog drains (issue 18.4): zstd on its own worker thread; the stream"
                    + " thread's share only (the worker's CPU, ~ zstd alone, is not in this row)", () -> {
                WalSegmentName name = WalSegmentName.parse("000000010000000000000001", segmentSize);
                try (CompressedSegment buffer = new CompressedSegment(name, level)) {
                    buffer.compressInBackground(true);
                    for (byte[] segment : segments) {
                        for (int off = 0; off < segment.length; off += PIECE) {
                            int n = Math.min(PIECE, segment.length - off);
                            buffer.append(buffer.end(), segment, off, n);
                        }
                        buffer.seal();
                        buffer.advance();
                    }
                }
            }),
            new Stage("CommitRecordScanner (commit times)", () -> {
                CommitRecordScanner scanner = new CommitRecordScanner(segmentSize, (end, time) -> { });
                Lsn at = WalSegmentName.parse("000000010000000000000001", segmentSize).startLsn();
                for (byte[] segment : segments) {
                    for (int off = 0; off < segment.length; off += PIECE) {
                        int n = Math.min(PIECE, segment.length - off);
                        scanner.feed(at, segment, off, n);
                        at = at.plus(n);
                    }
                }
            }),
            new Stage("store path on the compressed bytes: MD5 for Content-MD5 + sha256 of the request body (S3 store)", () -> {
                for (byte[] c : compressed) {
                    MessageDigest.getInstance("MD5").digest(c);
                    Sha256.of(c);
                }
            }),
            new Stage("store path as run: EncryptingObjectStore.putIfAbsentOrSame (data key, AES-256-GCM 1 MiB chunks, plaintext"
                    + " sha256; the in-memory store below hashes the ciphertext), after the process's AES warm-up", () -> {
                for (byte[] c : compressed) {
                    encrypted.putIfAbsentOrSame("profile/" + objects.incrementAndGet(), c, Map.of());
                }
            }),
        };
        // warm-up: the JIT, the process's AES-GCM warm-up (ObjectStoreEncryption starts it with the first encrypting
        // store, as in the archiver), and the compressed bytes the store stages read
        awaitCipherWarmUp();
        stages[0].body.run();
        for (int i = 0; i < 3; i++) {
            for (Stage stage : stages) {
                stage.body.run();
            }
        }
        StringBuilder out = new StringBuilder();
        long compressedBytes = compressed.stream().mapToLong(c -> c.length).sum();
        out.append(String.format(Locale.ROOT, "WAL CPU profile: %d segments (%.2f GiB), compressed %.1f MiB at level %d, medians of %d rounds, one thread%n%n",
                segments.size(), gib, compressedBytes / 1048576.0, level, rounds));
        out.append("| stage | CPU s per GiB of WAL | GiB/s |\n| --- | ---: | ---: |\n");
        for (Stage stage : stages) {
            double[] seconds = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                long t0 = THREADS.getCurrentThreadCpuTime();
                stage.body.run();
                seconds[r] = (THREADS.getCurrentThreadCpuTime() - t0) / 1e9;
            }
            java.util.Arrays.sort(seconds);
            double median = seconds[rounds / 2];
            out.append(String.format(Locale.ROOT, "| %s | %.2f | %.2f |%n", stage.name, median / gib, gib / median));
        }
        return out.toString();
    }

    /** The archiver's store path without the network: the encrypting decorator, as ObjectStores applies it, on memory. */
    private static ObjectStore encryptedStore() {
        Map<SecretRef, String> values = new ConcurrentHashMap<>();
        SecretStore secrets = new SecretStore() {
            @Override
            public void put(SecretRef ref, String value) {
                values.put(ref, value);
            }

            @Override
            public Optional<String> find(SecretRef ref) {
                return Optional.ofNullable(values.get(ref));
            }

            @Override
            public void delete(SecretRef ref) {
                values.remove(ref);
            }
        };
        ObjectStoreEncryption encryption = ObjectStoreEncryption.keyring(secrets, Clock.systemUTC());
        return encryption.apply(InstanceId.of("profile"), new InMemoryObjectStore("tideline-profile", 16 * 1024 * 1024, Clock.systemUTC()));
    }

    private static void awaitCipherWarmUp() throws InterruptedException {
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals("aes-gcm-warm-up")) {
                t.join(60_000);
            }
        }
    }

    private record Stage(String name, Body body) {
    }

    @FunctionalInterface
    private interface Body {
        void run() throws Exception;
    }
}
