package io.tideline.archiver.wal;

import com.github.luben.zstd.ZstdCompressCtx;
import io.tideline.core.storage.Sha256;
import io.tideline.core.wal.CommitRecordScanner;
import io.tideline.core.wal.Lsn;
import io.tideline.core.wal.WalSegmentName;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Where the archiver's CPU goes per GB of WAL (issue 18.4), stage by stage on one thread, over real WAL
 * segments (a directory of pg_receivewal's or pg_wal's 16 MiB files): the stream thread's work
 * ({@link CompressedSegment}: zstd at the archiver's level + the raw sha256; {@link CommitRecordScanner})
 * and the store path's work on the compressed bytes (sha256 and MD5 of the request body, AES-256-GCM of
 * the encrypted store), each alone, so the sum can be set against the whole process's CPU per GB that
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
            new Stage("store path on the compressed bytes: sha256 + MD5 (request body) + sha256 (plaintext, encrypted store)", () -> {
                for (byte[] c : compressed) {
                    Sha256.of(c);
                    MessageDigest.getInstance("MD5").digest(c);
                    Sha256.of(c);
                }
            }),
            new Stage("store path on the compressed bytes: AES-256-GCM in 1 MiB chunks (encrypted store)", () -> {
                Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
                SecretKeySpec key = new SecretKeySpec(new byte[32], "AES");
                long counter = 0;
                for (byte[] c : compressed) {
                    for (int off = 0; off < c.length; off += 1 << 20) {
                        byte[] iv = new byte[12];
                        java.nio.ByteBuffer.wrap(iv).putLong(4, ++counter);
                        cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, iv));
                        cipher.doFinal(c, off, Math.min(1 << 20, c.length - off));
                    }
                }
            }),
        };
        // warm-up: the JIT (AES-GCM's intrinsics need many calls), and the compressed bytes the store stages read
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

    private record Stage(String name, Body body) {
    }

    @FunctionalInterface
    private interface Body {
        void run() throws Exception;
    }
}
