package io.tideline.archiver.changes;

import io.tideline.core.wal.CommitRecordScanner;
import io.tideline.core.wal.Lsn;
import io.tideline.core.wal.WalSegmentName;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * For {@code bench/wal-archiving.sh}: the CPU the WAL scan costs per GB, with and without the undo finder's
 * records, on the same segments in the same JVM — alternating rounds, medians — so the difference is the
 * index's added cost. Segments are fed in 128 KiB pieces, as a stream delivers them.
 */
public final class ChangeScanCost {

    /** Seconds of CPU per GiB of WAL: the medians of each variant. */
    public record Result(double gib, double commitsOnlySecondsPerGib, double withIndexSecondsPerGib, long destructiveCommits) {
        public double addedSecondsPerGib() {
            return withIndexSecondsPerGib - commitsOnlySecondsPerGib;
        }
    }

    private ChangeScanCost() {
    }

    /** Scans {@code segments} (complete, uncompressed, in order) {@code rounds} times each way. */
    public static Result measure(List<Path> segments, long segmentSize, int rounds) throws IOException {
        List<byte[]> wal = new ArrayList<>();
        for (Path p : segments) {
            wal.add(Files.readAllBytes(p));
        }
        List<Long> starts = segments.stream()
                .map(p -> WalSegmentName.parse(p.getFileName().toString(), segmentSize).startLsn().value()).toList();
        double gib = wal.stream().mapToLong(b -> b.length).sum() / (double) (1L << 30);
        List<Double> plain = new ArrayList<>();
        List<Double> indexed = new ArrayList<>();
        long[] destructive = {0};
        for (int round = 0; round < rounds; round++) {
            plain.add(scan(wal, starts, segmentSize, null) / gib);
            destructive[0] = 0;
            indexed.add(scan(wal, starts, segmentSize, new TransactionTracker(t -> {
                if (t.destructive()) {
                    destructive[0]++;
                }
            })) / gib);
        }
        return new Result(gib, median(plain), median(indexed), destructive[0]);
    }

    private static double scan(List<byte[]> wal, List<Long> starts, long segmentSize, TransactionTracker tracker) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long cpu0 = threads.getCurrentThreadCpuTime();
        CommitRecordScanner scanner = new CommitRecordScanner(segmentSize, (end, at) -> { }, tracker);
        for (int s = 0; s < wal.size(); s++) {
            byte[] b = wal.get(s);
            for (int i = 0; i < b.length; i += 128 * 1024) {
                scanner.feed(new Lsn(starts.get(s) + i), b, i, Math.min(128 * 1024, b.length - i));
            }
        }
        return (threads.getCurrentThreadCpuTime() - cpu0) / 1e9;
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }
}
