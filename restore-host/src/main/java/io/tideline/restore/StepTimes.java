package io.tideline.restore;

import java.lang.management.ManagementFactory;
import java.util.StringJoiner;

/**
 * The wall-clock time of each step of a script, with the CPU time this whole process spent meanwhile (the JIT's
 * and other restores' included), for one log line at its end ("allocate 120 ms (cpu 300 ms), manifest ..."). Issue
 * 18.2 asks where a restore's seconds go; phases alone (progress events) lump several steps, and on a loaded machine
 * the CPU time tells a cold JVM's work apart from waiting. Not thread-safe: one per run of a script, used by its thread.
 */
final class StepTimes {

    private final long started = System.nanoTime();
    private final StringJoiner steps = new StringJoiner(", ");
    private long last = started;
    private long lastCpu = cpuNanos();

    /** Ends the step running since the previous mark (or the start) under {@code step}'s name. */
    void mark(String step) {
        long now = System.nanoTime();
        long cpu = cpuNanos();
        steps.add(step + " " + (now - last) / 1_000_000 + " ms" + (cpu < 0 ? "" : " (cpu " + (cpu - lastCpu) / 1_000_000 + " ms)"));
        last = now;
        lastCpu = cpu;
    }

    @Override
    public String toString() {
        return steps + " (" + (last - started) / 1_000_000 + " ms in all)";
    }

    /** This process's CPU time so far, or -1 where the JVM does not tell. */
    private static long cpuNanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime() : -1;
    }
}
