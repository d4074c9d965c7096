package io.tideline.archiver.wal;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.ApplicationContext;
import io.tideline.archiver.changes.ChangeScanCost;
import io.tideline.core.instance.ProvisionedInstance;
import io.tideline.core.registry.RegisteredInstance;
import io.tideline.core.wal.Lsn;
import io.tideline.testkit.Fleet;
import io.tideline.testkit.FleetExtension;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The WAL archiving benchmark behind {@code bench/wal-archiving.sh} (not part of the test suites:
 * its name matches neither surefire's nor failsafe's patterns). Against the same server, in the same
 * run, the reference is {@code pg_receivewal} writing to local disk with {@code zstd -3} over the
 * segments — the physical limit of receiving and compressing WAL on this machine.
 *
 * <ol>
 *   <li>Sustained: pgbench at full speed for {@code bench.duration} seconds while both archive
 *       concurrently; lag sampled from {@code pg_stat_replication} every 200 ms (server flush position
 *       minus each client's reported flush = durably stored position).</li>
 *   <li>Catch-up: a backlog written while neither runs, then each drains it alone: the throughput limit.</li>
 *   <li>Fleet: {@code bench.fleet} small instances streaming at once from this JVM under a light load,
 *       then idle: CPU and heap of the JVM, buffers held.</li>
 * </ol>
 * The table goes to stdout and {@code target/bench/wal-archiving.md}.
 */
@ExtendWith(FleetExtension.class)
class WalArchivingBench {

    private static final long MB = 1024 * 1024;
    private static final Path BIN = Path.of("/usr/lib/postgresql/15/bin");

    private final int duration = Integer.getInteger("bench.duration", 60);
    private final int fleetSize = Integer.getInteger("bench.fleet", 20);
    private final int fleetDuration = Integer.getInteger("bench.fleet.duration", 30);
    private final List<String> rows = new ArrayList<>();
    /** Where the CPU goes, stage by stage, on the sustained run's WAL (issue 18.4). */
    private String profile = "";

    @Test
    void run(Fleet fleet) throws Exception {
        Path work = Files.createTempDirectory("wal-bench-");
        try (WalTestBed bed = new WalTestBed(fleet)) {
            sustainedAndCatchUp(bed, work);
            fleetRun(bed);
        } finally {
            try (Stream<Path> files = Files.walk(work)) {
                files.sorted(Collections.reverseOrder()).forEach(p -> p.toFile().delete());
            }
            String table = table(); // what was measured, also when a later part failed
            System.out.println(table);
            Path out = Path.of("target", "bench", "wal-archiving.md");
            Files.createDirectories(out.getParent());
            Files.writeString(out, table);
        }
    }

    // ---------------------------------------------------------------- sustained + catch-up

    private void sustainedAndCatchUp(WalTestBed bed, Path work) throws Exception {
        // the tightest promise (1 s): the most uploads and CPU, and a lag comparable to a client that
        // makes every byte durable at once (pg_receivewal --synchronous)
        Map<String, Object> props = bed.archiverProperties(Duration.ofSeconds(1));
        props.put("tideline.archiver.wal.status-interval", "1s");
        ApplicationContext archiver = bed.startArchiver(props);
        RegisteredInstance pg = bed.onboard("bench-wal");
        ProvisionedInstance server = bed.fleet.postgres().provisioner().get(pg.id());
        String adminPassword = bed.fleet.postgres().secrets().get(server.adminSecret());
        String replPassword = bed.fleet.postgres().secrets().get(server.replicationSecret());
        try (Connection c = bed.connect(pg); Statement s = c.createStatement()) {
            s.execute("ALTER SYSTEM RESET wal_keep_size");
            s.execute("ALTER SYSTEM SET max_wal_size = '4GB'");
            s.execute("ALTER SYSTEM SET synchronous_commit = off"); // pgbench bound by CPU, not by fsync: more WAL per second
            s.execute("SELECT pg_reload_conf()");
            s.execute("SELECT pg_create_physical_replication_slot('bench_ref', true)");
            await().atMost(Duration.ofSeconds(30)).until(() -> streaming(c, "tideline-archiver"));
            run(List.of(BIN.resolve("pgbench").toString(), "-i", "-s", "10", "-q", "-h", server.host(), "-p",
                    String.valueOf(server.port()), "-U", server.adminUser(), "postgres"), adminPassword, null);

            // 1. sustained: pgbench at full speed, both archiving concurrently
            Path receiveDir = Files.createDirectories(work.resolve("receivewal"));
            Process receiver = start(List.of(BIN.resolve("pg_receivewal").toString(), "-h", server.host(), "-p",
                    String.valueOf(server.port()), "-U", server.replicationUser(), "-D", receiveDir.toString(), "-S", "bench_ref",
                    "-n", "--synchronous", "--status-interval=1"), replPassword, work.resolve("receivewal.log"));
            await().atMost(Duration.ofSeconds(30)).until(() -> streaming(c, "pg_receivewal"));
            Lsn start = flushLsn(c);
            long threadCpuBefore = streamThreadCpu(pg);
            var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            long jvmCpuBefore = os.getProcessCpuTime();
            double s3CpuBefore = s3Cpu(bed);
            LagSampler sampler = new LagSampler(bed, pg, archiver.getBean(MeterRegistry.class));
            Instant t0 = Instant.now();
            run(List.of(BIN.resolve("pgbench").toString(), "-n", "-c", "4", "-j", "2", "-T", String.valueOf(duration),
                    "-h", server.host(), "-p", String.valueOf(server.port()), "-U", server.adminUser(), "postgres"),
                    adminPassword, work.resolve("pgbench.log"));
            double seconds = Duration.between(t0, Instant.now()).toMillis() / 1000.0;
            Lsn end = flushLsn(c);
            Instant drainStart = Instant.now();
            await().atMost(Duration.ofMinutes(5)).until(() -> clientFlush(c, "tideline-archiver").compareTo(end) >= 0);
            double oursDrain = Duration.between(drainStart, Instant.now()).toMillis() / 1000.0;
            await().atMost(Duration.ofMinutes(5)).until(() -> clientFlush(c, "pg_receivewal").compareTo(end) >= 0);
            double refDrain = Duration.between(drainStart, Instant.now()).toMillis() / 1000.0;
            sampler.stop();
            long oursCpu = streamThreadCpu(pg) - threadCpuBefore;
            double oursJvmCpu = (os.getProcessCpuTime() - jvmCpuBefore) / 1e9;
            double oursS3Cpu = s3Cpu(bed) - s3CpuBefore;
            double receiverCpu = processCpuSeconds(receiver);
            double receiverRss = rssMb(receiver);
            receiver.destroy();
            receiver.waitFor(10, TimeUnit.SECONDS);
            ChangeScanCost.Result scanCost = scanCost(receiveDir); // before zstd removes the segments
            profile = WalCpuProfile.table(receiveDir, WalSettings.defaults().compressionLevel(), 3);
            double zstdCpu = zstdAll(receiveDir, work.resolve("zstd-sustained.txt"));
            double walMb = end.bytesSince(start) / (double) MB;

            rows.add(section("Sustained: pgbench -c 4 -j 2 (synchronous_commit off), " + duration
                    + " s, 16 MB segments, both archiving the same server at once; tideline flush interval 1 s, pg_receivewal --synchronous"));
            rows.add(row("WAL written", fmt(walMb, "MB") + " (" + fmt(walMb / seconds, "MB/s") + ")", "same", ""));
            rows.add(row("drained after pgbench stopped", fmt(oursDrain, "s"), fmt(refDrain, "s"), ""));
            rows.add(row("archived rate over the run", fmt(walMb / (seconds + oursDrain), "MB/s"),
                    fmt(walMb / (seconds + refDrain), "MB/s"), ratio((seconds + refDrain) / (seconds + oursDrain))));
            rows.add(row("lag bytes p50 / p99 (server flush − client flush)",
                    fmt(sampler.ours.pct(50) / MB, "MB") + " / " + fmt(sampler.ours.pct(99) / MB, "MB"),
                    fmt(sampler.ref.pct(50) / MB, "MB") + " / " + fmt(sampler.ref.pct(99) / MB, "MB"), ""));
            rows.add(row("lag seconds p50 / p99 (oldest unstored byte)",
                    fmt(sampler.oursSeconds.pct(50), "s") + " / " + fmt(sampler.oursSeconds.pct(99), "s"),
                    fmt(sampler.refSeconds.pct(50), "s") + " / " + fmt(sampler.refSeconds.pct(99), "s") + " (server's flush_lag)", ""));
            double gb = walMb / 1024;
            rows.add(row("CPU per GB of WAL, whole processes (issue 18: the archiver's JVM, lag sampler included)",
                    fmt(oursJvmCpu / gb, "s") + " (stream thread " + fmt(oursCpu / 1e9 / gb, "s") + "; S3 server besides "
                            + fmt(oursS3Cpu / gb, "s") + ")",
                    fmt((receiverCpu + zstdCpu) / gb, "s") + " (receive " + fmt(receiverCpu / gb, "s") + " + zstd -3 "
                            + fmt(zstdCpu / gb, "s") + ")", ratio((receiverCpu + zstdCpu) / Math.max(1e-9, oursJvmCpu))));
            rows.add(row("WAL scan CPU per GB: commit times only / with the undo finder's index (issue 15)",
                    fmt(scanCost.commitsOnlySecondsPerGib(), "s") + " / " + fmt(scanCost.withIndexSecondsPerGib(), "s")
                            + " (+" + fmt(scanCost.addedSecondsPerGib(), "s") + "; " + scanCost.destructiveCommits()
                            + " destructive commits in " + fmt(scanCost.gib() * 1024, "MB") + ")",
                    "medians of 5 rounds each, same WAL, same JVM", ""));
            rows.add(row("memory per stream", "buffer max " + fmt(sampler.bufferMax / (double) MB, "MiB") + ", JVM heap used max "
                    + fmt(sampler.heapMax / (double) MB, "MiB"), "pg_receivewal RSS " + fmt(receiverRss, "MiB"), ""));

            // 2. catch-up: a backlog written while neither runs, drained by each alone. The stream is
            // stopped and started again in the same archiver, so its CPU is the drain's, not a context start's.
            WalStreams streams = archiver.getBean(WalStreams.class);
            streams.stop(List.of(pg.id()), true);
            await().atMost(Duration.ofSeconds(30)).until(() -> !streaming(c, "tideline-archiver"));
            Lsn backlogStart = clientFlush(c, "tideline-archiver-slot");
            run(List.of(BIN.resolve("pgbench").toString(), "-i", "-s", "20", "-q", "-h", server.host(), "-p",
                    String.valueOf(server.port()), "-U", server.adminUser(), "postgres"), adminPassword, null);
            Lsn backlogEnd = switchWal(c);
            // Issue 18: the reference must stop at WAL that exists. pg_receivewal --endpos stops only once
            // it received a record at or past endpos; the switch's end is a segment boundary with nothing
            // after it, so it waited for the next unrelated record. One small record after the boundary,
            // and its end as the reference's endpos, makes both drain the same backlog and stop at once.
            query(c, "SELECT pg_logical_emit_message(false, 'tideline-bench', 'end of backlog')");
            Lsn refEnd = flushLsn(c);
            double backlogMb = backlogEnd.bytesSince(backlogStart) / (double) MB;

            long catchCpu0 = os.getProcessCpuTime();
            JvmCpu catchJvm0 = JvmCpu.now();
            long catchThread0 = streamThreadCpu(pg); // the stopped stream's thread is gone: 0
            double catchS3Cpu0 = s3Cpu(bed);
            Instant catchStart = Instant.now();
            streams.start(pg);
            await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofMillis(100))
                    .until(() -> slotRestart(c, "tideline_archiver").compareTo(backlogEnd) >= 0);
            double oursCatch = Duration.between(catchStart, Instant.now()).toMillis() / 1000.0;
            double oursCatchCpu = (os.getProcessCpuTime() - catchCpu0) / 1e9;
            double oursCatchS3Cpu = s3Cpu(bed) - catchS3Cpu0;
            double oursCatchThread = (streamThreadCpu(pg) - catchThread0) / 1e9;
            String catchByThread = JvmCpu.now().since(catchJvm0, oursCatchCpu, backlogEnd.bytesSince(backlogStart) / (double) (1L << 30));
            bed.stop(archiver);

            Path catchDir = Files.createDirectories(work.resolve("catchup"));
            Path receiveTime = work.resolve("receivewal-catchup-time.txt");
            Instant refStart = Instant.now();
            Process drain = start(List.of("/usr/bin/time", "-f", "%U %S", "-o", receiveTime.toString(),
                    BIN.resolve("pg_receivewal").toString(), "-h", server.host(), "-p",
                    String.valueOf(server.port()), "-U", server.replicationUser(), "-D", catchDir.toString(), "-S", "bench_ref",
                    "-n", "-E", refEnd.toString()), replPassword, work.resolve("receivewal-catchup.log"));
            if (!drain.waitFor(10, TimeUnit.MINUTES)) {
                drain.destroyForcibly();
                throw new IllegalStateException("pg_receivewal did not reach " + refEnd + " in 10 minutes");
            }
            double refReceive = Duration.between(refStart, Instant.now()).toMillis() / 1000.0;
            double refReceiveCpu = timeFileSeconds(receiveTime);
            Instant zstdStart = Instant.now();
            double refZstdCpu = zstdAll(catchDir, work.resolve("zstd-catchup.txt"));
            double refZstd = Duration.between(zstdStart, Instant.now()).toMillis() / 1000.0;
            double limit = backlogMb / Math.max(refReceive, refZstd);
            double backlogGb = backlogMb / 1024;

            rows.add(section("Catch-up: a " + fmt(backlogMb, "MB") + " backlog (pgbench -i -s 20) drained alone; the reference"
                    + " stops at a record just past the backlog's end (issue 18)"));
            rows.add(row("time to store it all", fmt(oursCatch, "s"),
                    fmt(refReceive, "s") + " receive, " + fmt(refZstd, "s") + " zstd -3", ""));
            rows.add(row("throughput", fmt(backlogMb / oursCatch, "MB/s"),
                    fmt(limit, "MB/s") + " (pipelined: slower stage; receive alone " + fmt(backlogMb / refReceive, "MB/s") + ")",
                    ratio(backlogMb / oursCatch / limit)));
            rows.add(row("CPU per GB, whole processes", fmt(oursCatchCpu / backlogGb, "s") + " (archiver JVM, of which the stream thread "
                            + fmt(oursCatchThread / backlogGb, "s") + ";"
                            + " S3 server besides " + fmt(oursCatchS3Cpu / backlogGb, "s") + ")",
                    fmt((refReceiveCpu + refZstdCpu) / backlogGb, "s") + " (receive " + fmt(refReceiveCpu / backlogGb, "s")
                            + " + zstd -3 " + fmt(refZstdCpu / backlogGb, "s") + ")",
                    ratio((refReceiveCpu + refZstdCpu) / Math.max(1e-9, oursCatchCpu))));
            rows.add(row("the archiver JVM's catch-up CPU per GB, by thread (issue 18.4: what besides the stream thread)",
                    catchByThread, "", ""));
            s.execute("SELECT pg_drop_replication_slot('bench_ref')");
        }
        bed.fleet.onboarding().remove(pg.id()); // the fleet run streams only its own instances
    }

    // ---------------------------------------------------------------- fleet

    private void fleetRun(WalTestBed bed) throws Exception {
        Map<String, Object> props = bed.archiverProperties(Duration.ofSeconds(10));
        props.put("tideline.archiver.wal.idle-release", "10s");
        List<RegisteredInstance> instances = new ArrayList<>();
        for (int i = 0; i < fleetSize; i++) {
            instances.add(bed.onboard("bench-fleet"));
        }
        for (RegisteredInstance pg : instances) {
            ProvisionedInstance server = bed.fleet.postgres().provisioner().get(pg.id());
            try (Connection c = bed.connect(pg); Statement s = c.createStatement()) {
                s.execute("ALTER SYSTEM RESET wal_keep_size");
                s.execute("SELECT pg_reload_conf()");
            }
            run(List.of(BIN.resolve("pgbench").toString(), "-i", "-s", "1", "-q", "-h", server.host(), "-p",
                    String.valueOf(server.port()), "-U", server.adminUser(), "postgres"),
                    bed.fleet.postgres().secrets().get(server.adminSecret()), null);
        }
        System.gc();
        long heapBefore = heapUsed();
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        ApplicationContext archiver = bed.startArchiver(props);
        WalStreams streams = archiver.getBean(WalStreams.class);
        await().atMost(Duration.ofSeconds(120)).until(() -> streams.streaming().size() == fleetSize);
        MeterRegistry meters = archiver.getBean(MeterRegistry.class);
        await().atMost(Duration.ofSeconds(60)).until(() -> instances.stream().allMatch(pg -> gauge(meters, WalStreamMetrics.STREAMING, pg) == 1.0));

        // light load on every instance at once
        List<Process> loads = new ArrayList<>();
        long cpu0 = os.getProcessCpuTime();
        Instant t0 = Instant.now();
        Samples lagSeconds = new Samples();
        Samples heap = new Samples();
        Samples buffers = new Samples();
        for (RegisteredInstance pg : instances) {
            ProvisionedInstance server = bed.fleet.postgres().provisioner().get(pg.id());
            loads.add(start(List.of(BIN.resolve("pgbench").toString(), "-n", "-c", "1", "-R", "20", "-T",
                    String.valueOf(fleetDuration), "-h", server.host(), "-p", String.valueOf(server.port()), "-U",
                    server.adminUser(), "postgres"), bed.fleet.postgres().secrets().get(server.adminSecret()), null));
        }
        while (loads.stream().anyMatch(Process::isAlive)) {
            for (RegisteredInstance pg : instances) {
                lagSeconds.add(gauge(meters, WalStreamMetrics.LAG_SECONDS, pg));
            }
            heap.add(heapUsed());
            buffers.add(instances.stream().mapToDouble(pg -> gauge(meters, WalStreamMetrics.BUFFER_BYTES, pg)).sum());
            Thread.sleep(500);
        }
        double busySeconds = Duration.between(t0, Instant.now()).toMillis() / 1000.0;
        double busyCpu = (os.getProcessCpuTime() - cpu0) / 1e9;

        // idle: every stream has stored its bytes and released its buffer (once autovacuum is done writing)
        await().atMost(Duration.ofMinutes(5)).until(() -> instances.stream()
                .allMatch(pg -> gauge(meters, WalStreamMetrics.BUFFER_BYTES, pg) == 0.0));
        long idleCpu0 = os.getProcessCpuTime();
        Thread.sleep(10_000);
        double idleCpuPerSecond = (os.getProcessCpuTime() - idleCpu0) / 1e9 / 10;
        System.gc();
        long heapIdle = heapUsed();
        long threads = Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("wal-")).count();

        rows.add(section("Fleet: " + fleetSize + " instances streaming from one JVM, pgbench -c 1 -R 20 each for "
                + fleetDuration + " s, then idle"));
        rows.add(row("JVM CPU while loaded", fmt(busyCpu / busySeconds * 100, "% of a core") + " ("
                + fmt(busyCpu / busySeconds * 1000 / fleetSize, "ms/s per stream") + ")", "", ""));
        rows.add(row("lag seconds p50 / p99 (flush interval 10 s)", fmt(lagSeconds.pct(50), "s") + " / "
                + fmt(lagSeconds.pct(99), "s"), "", ""));
        rows.add(row("segment buffers held, max (all streams)", fmt(buffers.pct(100) / MB, "MiB"), "", ""));
        rows.add(row("JVM heap used p50 / max while loaded", fmt((heap.pct(50) - heapBefore) / MB, "MiB") + " / "
                + fmt((heap.pct(100) - heapBefore) / MB, "MiB") + " above the idle JVM before", "", ""));
        rows.add(row("idle: buffers / heap above before / CPU", fmt(0, "MiB") + " / " + fmt((heapIdle - heapBefore) / (double) MB, "MiB")
                + " / " + fmt(idleCpuPerSecond * 1000 / fleetSize, "ms CPU per s per stream"), "", ""));
        rows.add(row("stream threads", String.valueOf(threads), "", ""));
        assertTrue(threads >= fleetSize);
    }

    // ---------------------------------------------------------------- helpers

    private final class LagSampler {
        final Samples ours = new Samples();
        final Samples ref = new Samples();
        final Samples oursSeconds = new Samples();
        final Samples refSeconds = new Samples();
        volatile double bufferMax;
        volatile double heapMax;
        private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        private final Connection connection;

        LagSampler(WalTestBed bed, RegisteredInstance pg, MeterRegistry meters) throws SQLException {
            connection = bed.connect(pg);
            timer.scheduleAtFixedRate(() -> {
                try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery(
                        "SELECT application_name, pg_current_wal_flush_lsn() - flush_lsn, extract(epoch FROM flush_lag) FROM pg_stat_replication")) {
                    while (rs.next()) {
                        boolean mine = rs.getString(1).equals("tideline-archiver");
                        (mine ? ours : ref).add(rs.getDouble(2));
                        if (!mine) {
                            refSeconds.add(rs.getDouble(3));
                        }
                    }
                    oursSeconds.add(gauge(meters, WalStreamMetrics.LAG_SECONDS, pg));
                    bufferMax = Math.max(bufferMax, gauge(meters, WalStreamMetrics.BUFFER_BYTES, pg));
                    heapMax = Math.max(heapMax, heapUsed());
                } catch (SQLException e) {
                    // a sample lost; the next one counts
                }
            }, 0, 200, TimeUnit.MILLISECONDS);
        }

        void stop() throws Exception {
            timer.shutdownNow();
            timer.awaitTermination(5, TimeUnit.SECONDS);
            connection.close();
        }
    }

    private static final class Samples {
        private final List<Double> values = new CopyOnWriteArrayList<>();

        void add(double v) {
            values.add(v);
        }

        double pct(int p) {
            if (values.isEmpty()) {
                return 0;
            }
            List<Double> sorted = new ArrayList<>(values);
            Collections.sort(sorted);
            int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
            return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
        }
    }

    private static double gauge(MeterRegistry meters, String name, RegisteredInstance pg) {
        var g = meters.find(name).tag("instance", pg.id().value()).gauge();
        return g == null ? 0 : g.value();
    }

    private static long heapUsed() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /**
     * The CPU of every live Java thread of this JVM at one moment, with GC and JIT time: where the JVM's CPU went
     * between two of them, by thread name (numbers dropped). GC and JIT are the VM's own threads, reported as
     * the time their MXBeans count; native threads (zstd's worker) and threads that ended are the rest.
     */
    private record JvmCpu(Map<Long, Map.Entry<String, Long>> threads, long gcMillis, long jitMillis) {

        static JvmCpu now() {
            ThreadMXBean mx = ManagementFactory.getThreadMXBean();
            Map<Long, Map.Entry<String, Long>> cpu = new java.util.HashMap<>();
            for (Thread t : Thread.getAllStackTraces().keySet()) {
                long v = mx.getThreadCpuTime(t.getId());
                if (v > 0) {
                    cpu.put(t.getId(), Map.entry(t.getName(), v));
                }
            }
            long gc = ManagementFactory.getGarbageCollectorMXBeans().stream().mapToLong(b -> Math.max(0, b.getCollectionTime())).sum();
            var jit = ManagementFactory.getCompilationMXBean();
            return new JvmCpu(cpu, gc, jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : 0);
        }

        /** The six largest thread groups since {@code before}, GC, JIT and the rest, in seconds per GiB. */
        String since(JvmCpu before, double processCpuSeconds, double gib) {
            Map<String, Double> groups = new java.util.HashMap<>();
            double sum = 0;
            for (var e : threads.entrySet()) {
                Map.Entry<String, Long> was = before.threads.get(e.getKey());
                double d = (e.getValue().getValue() - (was == null ? 0 : was.getValue())) / 1e9;
                if (d > 0) {
                    sum += d;
                    groups.merge(e.getValue().getKey().replaceAll("[0-9]+", "#"), d, Double::sum);
                }
            }
            double gc = (gcMillis - before.gcMillis) / 1000.0;
            double jit = (jitMillis - before.jitMillis) / 1000.0;
            String top = groups.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed()).limit(6)
                    .map(e -> e.getKey() + " " + fmt(e.getValue() / gib, "s")).collect(java.util.stream.Collectors.joining(", "));
            return top + "; GC " + fmt(gc / gib, "s") + " and JIT " + fmt(jit / gib, "s") + " (their time, not CPU); the rest (zstd's worker, "
                    + "VM threads, threads that ended) " + fmt(Math.max(0, processCpuSeconds - sum) / gib, "s");
        }
    }

    private static long streamThreadCpu(RegisteredInstance pg) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("wal-" + pg.id().value()))
                .mapToLong(t -> threads.getThreadCpuTime(t.getId())).filter(v -> v > 0).sum();
    }

    private static boolean streaming(Connection c, String application) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT count(*) FROM pg_stat_replication WHERE application_name = '" + application + "' AND state = 'streaming'")) {
            rs.next();
            return rs.getInt(1) > 0;
        }
    }

    private static Lsn flushLsn(Connection c) throws SQLException {
        return WalTestBed.query(c, "SELECT pg_current_wal_flush_lsn()");
    }

    private static Lsn switchWal(Connection c) throws SQLException {
        return WalTestBed.switchWal(c);
    }

    private static Lsn clientFlush(Connection c, String application) throws SQLException {
        if (application.equals("tideline-archiver-slot")) {
            return slotRestart(c, "tideline_archiver");
        }
        return WalTestBed.query(c, "SELECT coalesce((SELECT flush_lsn FROM pg_stat_replication WHERE application_name = '"
                + application + "' LIMIT 1), '0/0')");
    }

    private static Lsn slotRestart(Connection c, String slot) throws SQLException {
        return WalTestBed.query(c, "SELECT coalesce((SELECT restart_lsn FROM pg_replication_slots WHERE slot_name = '" + slot + "'), '0/0')");
    }

    private static Process start(List<String> command, String password, Path log) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("PGPASSWORD", password);
        if (log != null) {
            pb.redirectOutput(log.toFile());
        } else {
            pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        }
        return pb.start();
    }

    private static void run(List<String> command, String password, Path log) throws Exception {
        Process p = start(command, password, log);
        if (!p.waitFor(15, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed" + (log == null ? "" : ", see " + log));
        }
    }

    /** CPU seconds of the S3 server's process (the archiver's sink), 0 if it is not known. */
    private static double s3Cpu(WalTestBed bed) {
        return bed.fleet.s3().process().processHandle().flatMap(h -> h.info().totalCpuDuration())
                .map(d -> d.toNanos() / 1e9).orElse(0.0);
    }

    /** User + system seconds written by {@code /usr/bin/time -f "%U %S"}. */
    private static double timeFileSeconds(Path timeFile) throws IOException {
        String[] t = Files.readString(timeFile, StandardCharsets.UTF_8).trim().split("\\s+");
        return Double.parseDouble(t[t.length - 2]) + Double.parseDouble(t[t.length - 1]);
    }

    private static void query(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
        }
    }

    /** CPU seconds (user + system) of a live process, from /proc. */
    private static double processCpuSeconds(Process p) throws IOException {
        String[] f = Files.readString(Path.of("/proc", String.valueOf(p.pid()), "stat")).split("\\) ", 2)[1].split(" ");
        long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14, 15)
        return ticks / 100.0;
    }

    private static double rssMb(Process p) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(p.pid()), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D+", "")) / 1024.0;
                }
            }
        } catch (IOException e) {
            // gone
        }
        return 0;
    }

    /** The WAL scan's CPU per GB with and without the undo finder's records, on pg_receivewal's segments. */
    private static ChangeScanCost.Result scanCost(Path dir) throws IOException {
        List<Path> segments;
        try (Stream<Path> s = Files.list(dir)) {
            segments = s.filter(p -> p.getFileName().toString().matches("[0-9A-F]{24}")).sorted().toList();
        }
        return ChangeScanCost.measure(segments, 16L * MB, 5);
    }

    /** zstd -3 over every complete segment of a directory; returns its CPU seconds (user + system). */
    private static double zstdAll(Path dir, Path timeFile) throws Exception {
        List<String> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.getFileName().toString().matches("[0-9A-F]{24}")).map(Path::toString).sorted().toList();
        }
        List<String> command = new ArrayList<>(List.of("/usr/bin/time", "-f", "%U %S", "-o", timeFile.toString(),
                "zstd", "-q", "-3", "-f", "--rm"));
        command.addAll(files);
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        p.waitFor(10, TimeUnit.MINUTES);
        String[] t = Files.readString(timeFile, StandardCharsets.UTF_8).trim().split("\\s+");
        return Double.parseDouble(t[t.length - 2]) + Double.parseDouble(t[t.length - 1]);
    }

    private static String section(String title) {
        return "| **" + title + "** | | | |";
    }

    private static String row(String what, String ours, String ref, String ratio) {
        return "| " + what + " | " + ours + " | " + ref + " | " + ratio + " |";
    }

    private static String fmt(double v, String unit) {
        return String.format(v >= 100 ? "%.0f %s" : v >= 10 ? "%.1f %s" : "%.2f %s", v, unit);
    }

    private static String ratio(double r) {
        return String.format("%.2f×", r);
    }

    private String table() {
        StringBuilder b = new StringBuilder();
        b.append("WAL archiving benchmark, ").append(DateTimeFormatter.ISO_INSTANT.format(Instant.now().atOffset(ZoneOffset.UTC)))
                .append(", ").append(Runtime.getRuntime().availableProcessors()).append(" cores\n\n");
        b.append("| measure | tideline archiver | pg_receivewal + zstd -3 | ratio (tideline / reference, >1 = better) |\n");
        b.append("| --- | --- | --- | --- |\n");
        rows.forEach(r -> b.append(r).append('\n'));
        if (!profile.isEmpty()) {
            b.append('\n').append(profile);
        }
        return b.toString();
    }
}
