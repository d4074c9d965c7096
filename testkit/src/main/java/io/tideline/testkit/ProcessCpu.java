package io.tideline.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU seconds of a whole process for the benches, from {@code /proc/<pid>/stat}: utime + stime + cutime + cstime,
 * so the children it has waited for (pg_basebackup, zstd) count as its own. Linux only (USER_HZ = 100).
 */
public final class ProcessCpu {

    private ProcessCpu() {
    }

    /** This JVM, with its reaped children. */
    public static double self() throws IOException {
        return of(Path.of("/proc/self/stat"));
    }

    /** Another process (e.g. the S3 server's), with its reaped children; 0 once it is gone. */
    public static double of(long pid) throws IOException {
        Path stat = Path.of("/proc", Long.toString(pid), "stat");
        return Files.exists(stat) ? of(stat) : 0;
    }

    private static double of(Path stat) throws IOException {
        String s = Files.readString(stat, StandardCharsets.US_ASCII);
        // after the command name: field 3 is f[0]; utime is field 14 → f[11] … cstime field 17 → f[14]
        String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
        long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14]);
        return ticks / 100.0;
    }
}
