package io.tideline.archiver.wal;

import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.ApplicationContext;
import io.tideline.core.ids.InstanceId;
import io.tideline.core.instance.ProvisionedInstance;
import io.tideline.core.kafka.Topics;
import io.tideline.core.registry.InstanceOnboarding;
import io.tideline.core.registry.RegisteredInstance;
import io.tideline.core.storage.BucketGrant;
import io.tideline.schemas.BackupCommand;
import io.tideline.schemas.BackupCompleted;
import io.tideline.schemas.BackupReason;
import io.tideline.testkit.Fleet;
import io.tideline.testkit.FleetExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The fleet benchmark of issue 18 (run by {@code bench/fleet-streams.sh}, never by CI): {@code bench.streams}
 * instances streamed by one archiver replica in this JVM, sharing {@code bench.servers} PostgreSQL servers
 * (each instance with its own slot, {@code tideline_{instance}}, and its own bucket), with the default
 * settings except that slot name:
 * <ol>
 *   <li>idle for {@code bench.idle} seconds;</li>
 *   <li>then one server in ten written to (so ~10 % of instances receive WAL) for {@code bench.write}
 *       seconds, while base backups of {@code bench.backups} instances are asked for;</li>
 *   <li>then the replica is killed (its streams cut, nothing flushed) and a new one started: the time
 *       until every stream streams again.</li>
 * </ol>
 * Per-stream slopes are the process's figures (CPU, RSS, threads, file descriptors) less those measured
 * before the replica started, divided by the streams; S3 requests are counted in the SDK of this JVM.
 */
@ExtendWith(FleetExtension.class)
class FleetStreamsBench {

    private final int streams = Integer.getInteger("bench.streams", 100);
    private final int servers = Integer.getInteger("bench.servers", 10);
    private final int idleSeconds = Integer.getInteger("bench.idle", 900);
    private final int writeSeconds = Integer.getInteger("bench.write", 900);
    private final int backups = Integer.getInteger("bench.backups", 8);
    /** After every stream streams, before the idle window: the sessions' start-up writes (first partials, catalog snapshots) settle. */
    private final int settleSeconds = Integer.getInteger("bench.settle", 70);
    /** The archiver group's session timeout: how long the group takes to notice a killed replica (the fleet's 10 s). */
    private final int sessionTimeoutMs = Integer.getInteger("bench.session-timeout-ms", 10_000);
    private final List<String> rows = new ArrayList<>();
    private Map<String, Integer> threadsByName = Map.of();
    private double harnessCores;

    /** What /proc says about this process at one moment. */
    record ProcessSample(Instant at, double cpuSeconds, long rssBytes, int threads, int fds, long heapUsed,
                         Map<String, Long> s3, Map<String, Long> s3Kinds) {

        static ProcessSample now() throws IOException {
            String[] stat = Files.readString(Path.of("/proc/self/stat")).split("\\) ", 2)[1].split(" ");
            double cpu = (Long.parseLong(stat[11]) + Long.parseLong(stat[12])) / 100.0; // utime + stime, in ticks of 10 ms
            long rss = 0;
            int threads = 0;
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    rss = Long.parseLong(line.replaceAll("\\D", "")) * 1024;
                } else if (line.startsWith("Threads:")) {
                    threads = Integer.parseInt(line.replaceAll("\\D", ""));
                }
            }
            int fds;
            try (Stream<Path> list = Files.list(Path.of("/proc/self/fd"))) {
                fds = (int) list.count();
            }
            System.gc(); // heap in use, not garbage
            long heap = java.lang.management.ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            return new ProcessSample(Instant.now(), cpu, rss, threads, fds, heap, ListingCounter.byVerb(), ListingCounter.byKind());
        }

        double secondsSince(ProcessSample earlier) {
            return Duration.between(earlier.at, at).toMillis() / 1000.0;
        }
    }

    @Test
    void run(Fleet fleet) throws Exception {
        try (WalTestBed bed = new WalTestBed(fleet)) {
            List<ProvisionedInstance> hosts = servers(bed);
            List<RegisteredInstance> instances = register(bed, hosts);
            // the harness's own CPU (the event watcher's consumer, the JIT, GC) before the replica exists: not the streams'
            ProcessSample harnessStart = ProcessSample.now();
            Thread.sleep(20_000);
            ProcessSample base = ProcessSample.now();
            harnessCores = cpu(harnessStart, base);

            Map<String, Object> props = bed.archiverProperties(Duration.ofSeconds(60));
            // the archiver's own defaults, not the ITs' short timings
            props.keySet().removeIf(k -> k.startsWith(WalSettings.PREFIX + ".") || k.startsWith("kafka.consumers."));
            props.put("tideline.archiver.wal.slot-name", "tl_" + WalSettings.INSTANCE_TOKEN);
            props.put("kafka.consumers.default.session.timeout.ms", sessionTimeoutMs); // as the fleet deployment (NetFleet)
            Instant started = Instant.now();
            ApplicationContext archiver = bed.startArchiver(props);
            WalStreams walStreams = archiver.getBean(WalStreams.class);
            awaitAllStreaming(walStreams, instances);
            double startSeconds = Duration.between(started, Instant.now()).toMillis() / 1000.0;

            // 1. idle, once the sessions' start-up uploads are done
            Thread.sleep(settleSeconds * 1000L);
            ProcessSample idleStart = ProcessSample.now();
            Thread.sleep(idleSeconds * 1000L);
            ProcessSample idleEnd = ProcessSample.now();
            threadsByName = threadsByName();

            // 2. one server in ten written to, backups asked for
            List<ProvisionedInstance> writing = hosts.subList(0, Math.max(1, hosts.size() / 10));
            long writtenTo = instances.stream().filter(i -> writing.stream().anyMatch(h -> h.port() == i.port())).count();
            MeterRegistry meters = archiver.getBean(MeterRegistry.class);
            List<Double> lags = Collections.synchronizedList(new ArrayList<>());
            AtomicBoolean writingNow = new AtomicBoolean(true);
            List<Thread> writers = new ArrayList<>();
            for (ProvisionedInstance h : writing) {
                writers.add(startWriter(bed, h, writingNow));
            }
            Thread lagSampler = new Thread(() -> {
                while (writingNow.get()) {
                    for (Gauge g : meters.find(WalStreamMetrics.LAG_SECONDS).gauges()) {
                        lags.add(g.value());
                    }
                    try {
                        Thread.sleep(5000);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            lagSampler.setDaemon(true);
            lagSampler.start();
            Instant backupsAsked = Instant.now();
            List<String> backedUp = new ArrayList<>();
            for (RegisteredInstance i : instances.subList(0, Math.min(backups, instances.size()))) {
                String id = i.id().value();
                backedUp.add(id);
                Instant now = Instant.now();
                fleet.publisher().publishAndWait(Topics.BACKUP_COMMANDS, id, BackupCommand.newBuilder().setEventId(UUID.randomUUID())
                        .setInstanceId(id).setOccurredAt(now).setCommandId("bench:" + id + ":" + now.toEpochMilli())
                        .setReason(BackupReason.ON_DEMAND).setRequestedBy("FleetStreamsBench").setRequestedAt(now).build());
            }
            ProcessSample writeStart = ProcessSample.now();
            Thread.sleep(writeSeconds * 1000L);
            ProcessSample writeEnd = ProcessSample.now();
            writingNow.set(false);
            for (Thread w : writers) {
                w.join(10_000);
            }
            long completed = backedUp.stream().filter(id -> !bed.events(InstanceId.of(id), BackupCompleted.class).isEmpty()).count();
            double backupHours = Duration.between(backupsAsked, Instant.now()).toMillis() / 3_600_000.0;

            // 3. the replica killed: streams cut without a flush, then a new replica takes over
            Instant killed = Instant.now();
            walStreams.abortAll();
            bed.stop(archiver);
            ApplicationContext next = bed.startArchiver(props);
            awaitAllStreaming(next.getBean(WalStreams.class), instances);
            double resumeSeconds = Duration.between(killed, Instant.now()).toMillis() / 1000.0;

            report(base, idleStart, idleEnd, writeStart, writeEnd, startSeconds, resumeSeconds, lags, writtenTo,
                    completed, backedUp.size(), backupHours);
        } finally {
            String table = String.join("\n", rows) + "\n";
            System.out.println(table);
            Path out = Path.of("target", "bench", "fleet-streams-" + streams + ".md");
            Files.createDirectories(out.getParent());
            Files.writeString(out, table);
        }
    }

    /** The PostgreSQL servers the instances share, each allowing a sender and a slot per instance. */
    private List<ProvisionedInstance> servers(WalTestBed bed) throws Exception {
        int perServer = (streams + servers - 1) / servers;
        List<ProvisionedInstance> hosts = new ArrayList<>();
        for (int s = 0; s < servers; s++) {
            // a server only, not registered: only the instances below are streamed
            ProvisionedInstance made = bed.fleet.postgres().provisioner().create(bed.fleet.postgres().newId("fleet-host"),
                    new io.tideline.core.instance.InstanceSpec(io.tideline.core.wal.WalSegmentName.DEFAULT_SEGMENT_SIZE));
            try (Connection c = bed.fleet.postgres().connect(made); Statement st = c.createStatement()) {
                st.execute("ALTER SYSTEM SET max_wal_senders = " + (perServer + 10));
                st.execute("ALTER SYSTEM SET max_replication_slots = " + (perServer + 10));
                st.execute("ALTER SYSTEM SET max_connections = " + (2 * perServer + 40));
                st.execute("ALTER SYSTEM SET wal_keep_size = 0");
            }
            bed.fleet.postgres().provisioner().stop(made.id());
            hosts.add(bed.fleet.postgres().provisioner().start(made.id()));
        }
        return hosts;
    }

    /** Instances on the shared servers: each registration a server's address and roles, its own id, slot and bucket. */
    private List<RegisteredInstance> register(WalTestBed bed, List<ProvisionedInstance> hosts) {
        List<RegisteredInstance> made = new ArrayList<>();
        for (int i = 0; i < streams; i++) {
            ProvisionedInstance host = hosts.get(i % hosts.size());
            InstanceId id = bed.fleet.postgres().newId("fleet");
            ProvisionedInstance as = new ProvisionedInstance(id, host.host(), host.port(), host.database(), host.credentials(),
                    host.dataDir(), host.postgresVersion());
            BucketGrant grant = bed.fleet.storageProvisioner().provision(id);
            made.add(bed.fleet.onboarding().register(as, grant, id.value(), InstanceOnboarding.Options.defaults(),
                    Optional.empty(), Instant.now()));
            bed.track(id);
        }
        return made;
    }

    private static void awaitAllStreaming(WalStreams walStreams, List<RegisteredInstance> instances) {
        await().atMost(Duration.ofMinutes(30)).pollInterval(Duration.ofMillis(250)).until(() -> instances.stream()
                .allMatch(i -> walStreams.state(i.id()).filter(s -> s.startsWith("streaming")).isPresent()));
    }

    /** ~100 kB/s of WAL on one server: a row of 4 kB every 40 ms, committed. */
    private static Thread startWriter(WalTestBed bed, ProvisionedInstance host, AtomicBoolean writing) {
        Thread t = new Thread(() -> {
            try (Connection c = bed.fleet.postgres().connect(host); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE IF NOT EXISTS fleet_load (id bigserial, pad text)");
                while (writing.get()) {
                    s.execute("INSERT INTO fleet_load (pad) SELECT string_agg(md5(random()::text), '') FROM generate_series(1, 128)");
                    Thread.sleep(40);
                }
            } catch (Exception e) {
                System.err.println("writer of " + host.host() + ":" + host.port() + " stopped: " + e);
            }
        }, "fleet-writer-" + host.port());
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Live threads by name, digits folded ({@code wal-fleet-N-…}), most first: what holds the threads per stream. */
    private static Map<String, Integer> threadsByName() {
        Map<String, Integer> byName = new TreeMap<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            byName.merge(t.getName().replaceAll("[0-9a-f]{8,}|[0-9]+", "N"), 1, Integer::sum);
        }
        return byName;
    }

    /** The goals of issue 18 at 1,000 streams, checked on this run's figures (projected from the slope when N is less). */
    private static final int GOAL_STREAMS = 1000;
    private static final double GOAL_HEAP_MIB = 2048;
    private static final double GOAL_CORES = 1.0;
    private static final double GOAL_IDLE_S3_PER_MINUTE = 1.0;
    private static final double GOAL_RESUME_SECONDS = 60;

    private String goal(String what, double value, double limit) {
        String at = streams >= GOAL_STREAMS ? "" : " (projected to " + GOAL_STREAMS + ": " + fmt(value) + ")";
        return what + at + ": " + (value <= limit ? "**met**" : "**NOT met**");
    }

    private void report(ProcessSample base, ProcessSample idleStart, ProcessSample idleEnd, ProcessSample writeStart,
                        ProcessSample writeEnd, double startSeconds, double resumeSeconds, List<Double> lags, long writtenTo,
                        long backupsCompleted, int backupsAsked, double backupHours) {
        int n = streams;
        double scale = (double) GOAL_STREAMS / n;
        rows.add("### Fleet: " + n + " streams from one replica on " + servers + " shared PostgreSQL servers (idle "
                + idleSeconds + " s after " + settleSeconds + " s to settle, then " + writtenTo + " instances receiving WAL for "
                + writeSeconds + " s); JVM max heap " + Runtime.getRuntime().maxMemory() / (1024 * 1024) + " MiB");
        rows.add("");
        rows.add("| figure | idle | 10 % writing | goal of issue 18 at " + GOAL_STREAMS + " streams |");
        rows.add("| --- | --- | --- | --- |");
        double idleCores = Math.max(0, cpu(idleStart, idleEnd) - harnessCores);
        double writeCores = Math.max(0, cpu(writeStart, writeEnd) - harnessCores);
        rows.add(row("CPU, cores (whole JVM less the harness's own " + fmt(harnessCores) + " before start)", idleCores, writeCores,
                goal("≤ " + GOAL_CORES + " core at 10 % writing", writeCores * scale, GOAL_CORES)));
        rows.add(row("CPU per stream, ms per s", idleCores * 1000 / n, writeCores * 1000 / n, ""));
        rows.add(row("RSS per stream, KiB", (idleEnd.rssBytes() - base.rssBytes()) / 1024.0 / n,
                (writeEnd.rssBytes() - base.rssBytes()) / 1024.0 / n, ""));
        double heapMib = Math.max(idleEnd.heapUsed(), writeEnd.heapUsed()) / (1024.0 * 1024);
        double heapPerStreamMib = Math.max(idleEnd.heapUsed() - base.heapUsed(), writeEnd.heapUsed() - base.heapUsed()) / (1024.0 * 1024) / n;
        rows.add(row("heap in use per stream (after GC), KiB", (idleEnd.heapUsed() - base.heapUsed()) / 1024.0 / n,
                (writeEnd.heapUsed() - base.heapUsed()) / 1024.0 / n,
                goal("heap in use ≤ 2 GB (the JVM runs with -Xmx2g: a breach fails the run)",
                        streams >= GOAL_STREAMS ? heapMib : base.heapUsed() / (1024.0 * 1024) + heapPerStreamMib * GOAL_STREAMS, GOAL_HEAP_MIB)
                        .replace(": **", " MiB: **")));
        rows.add(row("threads per stream", (idleEnd.threads() - base.threads()) / (double) n, (writeEnd.threads() - base.threads()) / (double) n, ""));
        rows.add(row("file descriptors per stream", (idleEnd.fds() - base.fds()) / (double) n, (writeEnd.fds() - base.fds()) / (double) n, ""));
        Map<String, Double> idleRates = rates(idleStart.s3(), idleEnd.s3(), idleStart, idleEnd);
        Map<String, Double> writeRates = rates(writeStart.s3(), writeEnd.s3(), writeStart, writeEnd);
        java.util.Set<String> verbs = new java.util.TreeSet<>(idleRates.keySet());
        verbs.addAll(writeRates.keySet());
        for (String verb : verbs) {
            rows.add(row("S3 " + verb + " per instance per minute", idleRates.getOrDefault(verb, 0.0) / n,
                    writeRates.getOrDefault(verb, 0.0) / n, ""));
        }
        double idleS3 = idleRates.values().stream().mapToDouble(d -> d).sum() / n;
        rows.add(row("S3 requests per instance per minute, all", idleS3,
                writeRates.values().stream().mapToDouble(d -> d).sum() / n,
                "≤ " + GOAL_IDLE_S3_PER_MINUTE + " per idle instance per minute: " + (idleS3 <= GOAL_IDLE_S3_PER_MINUTE ? "**met**" : "**NOT met**")
                        + (idleSeconds < 300 ? " (the idle window is shorter than the 5 min heartbeat: its upload may be missing)" : "")));
        Map<String, Double> idleKinds = rates(idleStart.s3Kinds(), idleEnd.s3Kinds(), idleStart, idleEnd);
        Map<String, Double> writeKinds = rates(writeStart.s3Kinds(), writeEnd.s3Kinds(), writeStart, writeEnd);
        java.util.Set<String> kinds = new java.util.TreeSet<>(idleKinds.keySet());
        kinds.addAll(writeKinds.keySet());
        for (String kind : kinds) {
            rows.add(row("… of which " + kind.replace("*", "\\*"), idleKinds.getOrDefault(kind, 0.0) / n,
                    writeKinds.getOrDefault(kind, 0.0) / n, ""));
        }
        List<Double> sorted = new ArrayList<>(lags);
        Collections.sort(sorted);
        double p99 = sorted.isEmpty() ? Double.NaN : sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(sorted.size() * 0.99) - 1));
        rows.add("| lag p99 over all streams, s (every 5 s while writing) | | " + fmt(p99) + " | ≤ 60 s flush interval (the promise) |");
        rows.add("");
        double detection = sessionTimeoutMs / 1000.0;
        rows.add("| event | figure | goal of issue 18 at " + GOAL_STREAMS + " streams |");
        rows.add("| --- | --- | --- |");
        rows.add("| first start: all " + n + " streams streaming after | " + fmt(startSeconds) + " s | |");
        rows.add("| replica killed: all streams streaming again on a new replica after | " + fmt(resumeSeconds) + " s + "
                + fmt(detection) + " s for the group to notice a crash (session timeout) = " + fmt(resumeSeconds + detection) + " s | "
                + (streams >= GOAL_STREAMS ? "" : "(at " + n + " streams) ") + "≤ " + fmt(GOAL_RESUME_SECONDS) + " s: "
                + (resumeSeconds + detection <= GOAL_RESUME_SECONDS ? "**met**" : "**NOT met**") + " |");
        rows.add("| base backups completed while writing | " + backupsCompleted + " of " + backupsAsked + " asked, "
                + fmt(backupsCompleted / backupHours) + " per hour | |");
        rows.add("");
        rows.add("Threads at the end of the idle window, by name (digits folded), 2 or more:");
        rows.add("");
        threadsByName.entrySet().stream().filter(e -> e.getValue() >= 2)
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                .forEach(e -> rows.add("- " + e.getValue() + " × `" + e.getKey() + "`"));
    }

    private static double cpu(ProcessSample a, ProcessSample b) {
        return (b.cpuSeconds() - a.cpuSeconds()) / b.secondsSince(a);
    }

    /** Requests per minute by verb (or kind) between two samples. */
    private static Map<String, Double> rates(Map<String, Long> before, Map<String, Long> after, ProcessSample a, ProcessSample b) {
        Map<String, Double> rates = new TreeMap<>();
        double minutes = b.secondsSince(a) / 60.0;
        after.forEach((verb, count) -> {
            long delta = count - before.getOrDefault(verb, 0L);
            if (delta > 0) {
                rates.put(verb, delta / minutes);
            }
        });
        return rates;
    }

    private static String row(String what, double idle, double writing, String goal) {
        return "| " + what + " | " + fmt(idle) + " | " + fmt(writing) + " | " + goal + " |";
    }

    private static String fmt(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(java.util.Locale.ROOT, Math.abs(v) >= 100 ? "%.0f" : "%.3g", v);
    }
}
