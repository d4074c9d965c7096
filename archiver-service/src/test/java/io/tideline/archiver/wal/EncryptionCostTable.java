package io.tideline.archiver.wal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.ToDoubleFunction;

/**
 * The table of {@code bench/encryption-e2e.sh}: for each operation, the runs with encryption on beside the same
 * runs with it off, as median [min–max] over the runs, per GiB of plain data, and the ratio of the medians on/off.
 * Pure (no I/O), so its arithmetic is unit-tested ({@code EncryptionCostTableTest}).
 */
final class EncryptionCostTable {

    private static final double MIB = 1024.0 * 1024;
    private static final double GIB = MIB * 1024;

    /**
     * One run of one operation.
     *
     * @param plainBytes  the plain (uncompressed, unencrypted) bytes it moved: the per-GiB figures divide by these
     * @param storedBytes what it stored in (or read from) the bucket: ciphertext when encrypted
     * @param cpuSeconds  the whole process doing the work (the archiver's JVM, or the restore's)
     * @param s3CpuSeconds the S3 server's process meanwhile
     */
    record Run(String operation, boolean encrypted, double seconds, double cpuSeconds, double s3CpuSeconds,
               long plainBytes, long storedBytes) {
    }

    /** Median, min and max of some values (the median of an even count is the mean of the middle two). */
    record Spread(double median, double min, double max) {
        static Spread of(double[] values) {
            if (values.length == 0) {
                throw new IllegalArgumentException("no values");
            }
            double[] v = values.clone();
            Arrays.sort(v);
            int n = v.length;
            double median = n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
            return new Spread(median, v[0], v[n - 1]);
        }

        String format(String pattern) {
            return String.format(Locale.ROOT, pattern + " [" + pattern + "–" + pattern + "]", median, min, max);
        }
    }

    private final List<Run> runs = new ArrayList<>();

    void add(Run run) {
        runs.add(run);
    }

    List<Run> runs() {
        return List.copyOf(runs);
    }

    Spread spread(String operation, boolean encrypted, ToDoubleFunction<Run> of) {
        return Spread.of(runs.stream().filter(r -> r.operation().equals(operation) && r.encrypted() == encrypted)
                .mapToDouble(of).toArray());
    }

    /** The markdown table: a row per operation (in the order first run), on beside off. */
    String markdown() {
        Set<String> operations = new LinkedHashSet<>();
        runs.forEach(r -> operations.add(r.operation()));
        StringBuilder b = new StringBuilder();
        b.append("| operation (plain MiB per run) | runs on/off | seconds on | seconds off | time on/off | MiB/s on / off"
                + " | CPU s/GiB on | CPU s/GiB off | CPU on/off | S3 server CPU s/GiB on / off | stored MiB on / off (per plain byte) |\n");
        b.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        for (String op : operations) {
            if (runs.stream().noneMatch(r -> r.operation().equals(op) && r.encrypted())
                    || runs.stream().noneMatch(r -> r.operation().equals(op) && !r.encrypted())) {
                continue; // a failed run left one side only: no comparison
            }
            Spread plainMib = spread(op, true, r -> r.plainBytes() / MIB);
            Spread onSeconds = spread(op, true, Run::seconds);
            Spread offSeconds = spread(op, false, Run::seconds);
            Spread onCpu = spread(op, true, r -> r.cpuSeconds() / (r.plainBytes() / GIB));
            Spread offCpu = spread(op, false, r -> r.cpuSeconds() / (r.plainBytes() / GIB));
            double onS3 = spread(op, true, r -> r.s3CpuSeconds() / (r.plainBytes() / GIB)).median();
            double offS3 = spread(op, false, r -> r.s3CpuSeconds() / (r.plainBytes() / GIB)).median();
            double onRate = spread(op, true, r -> r.plainBytes() / MIB / r.seconds()).median();
            double offRate = spread(op, false, r -> r.plainBytes() / MIB / r.seconds()).median();
            double onStored = spread(op, true, r -> r.storedBytes() / MIB).median();
            double offStored = spread(op, false, r -> r.storedBytes() / MIB).median();
            // per plain byte, so that runs that wrote a little more or less WAL do not show as overhead
            double overhead = spread(op, true, r -> (double) r.storedBytes() / r.plainBytes()).median()
                    / spread(op, false, r -> (double) r.storedBytes() / r.plainBytes()).median() - 1;
            long onRuns = runs.stream().filter(r -> r.operation().equals(op) && r.encrypted()).count();
            long offRuns = runs.stream().filter(r -> r.operation().equals(op) && !r.encrypted()).count();
            b.append(String.format(Locale.ROOT, "| %s (%.0f) | %d/%d | %s | %s | %.2f | %.0f / %.0f | %s | %s | %.2f | %.2f / %.2f | %.1f / %.1f (%+.2f %%) |%n",
                    op, plainMib.median(), onRuns, offRuns, onSeconds.format("%.1f"), offSeconds.format("%.1f"),
                    onSeconds.median() / offSeconds.median(), onRate, offRate, onCpu.format("%.2f"), offCpu.format("%.2f"),
                    onCpu.median() / offCpu.median(), onS3, offS3, onStored, offStored,
                    overhead * 100));
        }
        return b.toString();
    }
}
