package io.tideline.restore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tideline.core.instance.ProvisionedInstance;
import io.tideline.core.registry.RegisteredInstance;
import io.tideline.core.secrets.SecretRef;
import io.tideline.core.wal.Lsn;
import io.tideline.core.wal.WalSegmentName;
import io.tideline.schemas.RestoreCompleted;
import io.tideline.schemas.RestorePhase;
import io.tideline.schemas.RestoreProgress;
import io.tideline.testkit.BucketSeeder;
import io.tideline.testkit.Fleet;
import io.tideline.testkit.FleetExtension;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The restore benchmark (run by {@code bench/restore.sh}, never by the normal build: its name matches
 * neither {@code *Test} nor {@code *IT}). A {@code pgbench -s <scale>} database is backed up by both
 * Tideline (into its bucket, at the archiver's default zstd level 1 in several parts, as the archiver writes
 * it) and pgBackRest 2.45 (posix repository, the SAME zstd level, process-max = the machine's cores, async
 * archive-get), with the database quiet between the two backups; then about {@code bench.wal-mb} MB of WAL
 * from a pgbench run are archived by both. Then {@code bench.runs} runs, each with a restore service started
 * afresh in a JVM of its own (as after a deployment) and left idle until ready:
 * <ol>
 *   <li>Tideline's FIRST restore after start-up (the one users get: restores are rare),</li>
 *   <li>pgBackRest's restore (its defaults),</li>
 *   <li>pgBackRest's restore with Tideline's recovery settings ({@link RecoveryTuning}: fsync off while
 *       recovering, prefetch, shared_buffers, spaced restartpoints), then the same end step as Tideline's (own
 *       settings back, restart, initdb --sync-only): so the table says where an advantage comes from,</li>
 *   <li>Tideline's second restore in the same service (warm).</li>
 * </ol>
 * All to the same target time near the end. Prints the median, min and max of each phase per column and the
 * ratios of the medians, and writes the table to {@code bench.out}.
 */
@ExtendWith(FleetExtension.class)
class RestoreBenchmark {

    private static final Path BIN = Path.of("/usr/lib/postgresql/15/bin");
    private static final DateTimeFormatter PG_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSSxxx").withZone(ZoneOffset.UTC);
    private static final String STANZA = "bench";
    private static final java.util.regex.Pattern SPOOL_NOTE =
            java.util.regex.Pattern.compile("(\\d+) of (\\d+) segment\\(s\\) taken from the local spool");
    private static final List<String> COLUMNS = List.of("Tideline first", "Tideline warm", "pgBackRest", "pgBR+same settings");

    private final int scale = Integer.getInteger("bench.scale", 100);
    private final long walBytes = Long.getLong("bench.wal-mb", 1024) * 1024 * 1024;
    private final int cores = Runtime.getRuntime().availableProcessors();
    private final int runs = Integer.getInteger("bench.runs", 3);
    private final int level = Integer.getInteger("bench.level", 1);
    private final long partBytes = Long.getLong("bench.part-mb", 48) << 20;
    /** false: Tideline recovers with the instance's own settings (to measure that lever alone). */
    private final boolean tidelineTuning = Boolean.parseBoolean(System.getProperty("bench.tideline-tuning", "true"));
    /** false: the service does not warm its restore code up at start (to measure that lever alone). */
    private final boolean serviceWarmUp = Boolean.parseBoolean(System.getProperty("bench.service-warm-up", "true"));

    /** The log of the restore service running now: its step timings are printed after each restore. */
    private Path replicaLog;

    /** The source instance's OS user (each instance has its own when we are root): pgBackRest reads its files as it. */
    private String osUser = "postgres";

    /** One restore's seconds per phase, and the rows it holds at the target. */
    private record Run(double unpack, double replay, double settle, double other, double total, long rows, String note) {
    }

    /** Through the service: request to {@code RestoreCompleted}; phases from its progress events. */
    private Run tideline(Fleet fleet, RestoreTestBed bed, RegisteredInstance source, Instant target, String what) throws Exception {
        log("%s: Tideline restore to %s", what, target);
        long requested = System.nanoTime();
        Instant requestedAt = Instant.now();
        String restoreId = bed.request(source.id(), target.toString(), null);
        RestoreCompleted done = bed.await(restoreId, RestoreCompleted.class, Duration.ofMinutes(60));
        double total = seconds(requested);
        List<RestoreProgress> progress = bed.eventsOf(restoreId, RestoreProgress.class);
        Instant download = first(progress, RestorePhase.RESTORING_BACKUP);
        Instant replay = first(progress, RestorePhase.REPLAYING_WAL);
        Instant promoted = first(progress, RestorePhase.PROMOTING);
        Instant verifying = first(progress, RestorePhase.VERIFYING);
        String spool = progress.stream().map(RestoreProgress::getMessage).filter(m -> m != null && m.contains("local spool"))
                .map(SPOOL_NOTE::matcher).filter(java.util.regex.Matcher::find).map(m -> m.group(1) + " of " + m.group(2))
                .findFirst().orElse("?");
        long rows;
        // As its admin: the event names the owner role, which has no rights on tables the benchmark's admin made.
        try (Connection restored = fleet.postgres().connect(fleet.postgres().provisioner().get(
                io.tideline.core.ids.InstanceId.of(done.getNewInstanceId())))) {
            rows = count(restored, "SELECT count(*) FROM pgbench_history");
            if (tidelineTuning) {
                assertEquals("on", show(restored, "fsync"), "the restored instance runs with fsync on");
            }
        }
        printServerLog(fleet.postgres().provisioner().get(io.tideline.core.ids.InstanceId.of(done.getNewInstanceId())).dataDir()
                .resolveSibling("postgres.log"));
        // Destroyed at once: its files would crowd the page cache and the disk of what follows.
        fleet.postgres().provisioner().destroy(io.tideline.core.ids.InstanceId.of(done.getNewInstanceId()));
        double unpack = secondsBetween(download, replay);
        double replayed = secondsBetween(replay, promoted);
        double settle = secondsBetween(promoted, verifying);
        Instant accepted = bed.await(restoreId, io.tideline.schemas.RestoreAccepted.class, Duration.ofSeconds(1)).getOccurredAt();
        log("  %.1f s: request to accepted %.2f s, provisioning %.2f s, unpack %.2f s, replay %.2f s, settings back + sync %.2f s,"
                        + " verify to completed %.2f s", total, secondsBetween(requestedAt, accepted),
                secondsBetween(first(progress, RestorePhase.PROVISIONING), download), unpack, replayed, settle,
                secondsBetween(verifying, done.getOccurredAt()));
        printStepTimes(restoreId, done.getNewInstanceId());
        return new Run(unpack, replayed, settle, total - unpack - replayed - settle, total, rows, spool);
    }

    /** The restored server's own milestones (start, redo, end of recovery, checkpoints), with its timestamps. */
    private static void printServerLog(Path serverLog) throws IOException {
        if (!Files.exists(serverLog)) {
            return;
        }
        java.util.regex.Pattern milestone = java.util.regex.Pattern.compile(
                "starting PostgreSQL|redo starts|redo done|consistent recovery|selected new timeline|archive recovery complete"
                        + "|ready to accept|shutting down|checkpoint complete|restartpoint complete|database system is shut down");
        for (String line : Files.readAllLines(serverLog, StandardCharsets.UTF_8)) {
            if (milestone.matcher(line).find()) {
                log("  server: %s", line.strip());
            }
        }
    }

    /** The service's log lines that time the steps of this restore (where the seconds of a phase go). */
    private void printStepTimes(String restoreId, String newInstance) throws IOException {
        if (replicaLog == null || !Files.exists(replicaLog)) {
            return;
        }
        for (String line : Files.readAllLines(replicaLog, StandardCharsets.UTF_8)) {
            if ((line.contains(restoreId) || line.contains(newInstance)) && line.contains(" ms")) {
                log("  service: %s", line.strip());
            }
        }
    }

    /**
     * {@code pgbackrest restore}, then start the cluster and wait until it has promoted. With {@code tuning}, recovery
     * runs with those settings and ends as Tideline's does: own settings back, restart, {@code initdb --sync-only}.
     */
    private Run pgbackrest(Path conf, Map<String, String> pgEnv, ProvisionedInstance pg, String password, Path pgbrData,
                           Instant target, String what, Map<String, String> tuning) throws Exception {
        log("%s: pgBackRest restore to %s%s", what, target, tuning.isEmpty() ? "" : " with " + tuning);
        run(List.of("runuser", "-u", osUser, "--", "mkdir", "-m", "700", pgbrData.toString()));
        long restoreStart = System.nanoTime();
        pgbackrest(conf, pgEnv, "--pg1-path=" + pgbrData, "--type=time", "--target=" + PG_TIME.format(target),
                "--target-action=promote", "restore");
        double unpack = seconds(restoreStart);
        int port = freePort();
        // pgBackRest wrote restore_command and the target; the copy of the source's settings needs its own port.
        Path auto = pgbrData.resolve("postgresql.auto.conf");
        Files.writeString(auto, "\nport = " + port + "\narchive_mode = off\nunix_socket_directories = ''\n", StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.APPEND);
        String own = Files.readString(auto);
        StringBuilder recoveryOnly = new StringBuilder();
        tuning.forEach((k, v) -> recoveryOnly.append(k).append(" = '").append(v).append("'\n"));
        Files.writeString(auto, own + recoveryOnly, StandardCharsets.UTF_8);
        long replayStart = System.nanoTime();
        Path log = pgbrData.resolveSibling(pgbrData.getFileName() + ".log");
        List<String> start = List.of("runuser", "-u", osUser, "--", BIN.resolve("pg_ctl").toString(), "start", "-D",
                pgbrData.toString(), "-l", log.toString(), "-W");
        run(start);
        try {
            double replay;
            double settle = 0;
            try (Connection restored = awaitPromoted(pgbrData, log, port, pg.adminUser(), password, Duration.ofMinutes(60))) {
                replay = seconds(replayStart);
            }
            if (!tuning.isEmpty()) {
                long settleStart = System.nanoTime();
                Files.writeString(auto, own, StandardCharsets.UTF_8);
                run(List.of("runuser", "-u", osUser, "--", BIN.resolve("pg_ctl").toString(), "stop", "-D", pgbrData.toString(),
                        "-m", "fast", "-w"));
                run(List.of("runuser", "-u", osUser, "--", BIN.resolve("initdb").toString(), "--sync-only", "-D", pgbrData.toString()));
                run(List.of("runuser", "-u", osUser, "--", BIN.resolve("pg_ctl").toString(), "start", "-D", pgbrData.toString(),
                        "-l", log.toString(), "-w"));
                settle = seconds(settleStart);
            }
            try (Connection restored = awaitPromoted(pgbrData, log, port, pg.adminUser(), password, Duration.ofMinutes(1))) {
                double total = seconds(restoreStart);
                long rows = count(restored, "SELECT count(*) FROM pgbench_history");
                if (!tuning.isEmpty()) {
                    assertEquals("on", show(restored, "fsync"));
                }
                log("  %.1f s: restore %.2f s, replay %.2f s, settings back + sync %.2f s", total, unpack, replay, settle);
                return new Run(unpack, replay, settle, 0, total, rows, "");
            }
        } finally {
            run(List.of("runuser", "-u", osUser, "--", BIN.resolve("pg_ctl").toString(), "stop", "-D", pgbrData.toString(),
                    "-m", "immediate"));
            run(List.of("rm", "-rf", pgbrData.toString()));
        }
    }

    /**
     * A restore service in a JVM of its own, as after a deployment: started, then idle until its consumer
     * answers (a request for an unknown instance is rejected) and its start-up warm-up has ended.
     */
    private Process startReplica(RestoreTestBed bed, Path work, int run) throws Exception {
        Map<String, Object> props = bed.properties();
        props.put(RestoreWarmUp.Settings.PREFIX + ".enabled", Boolean.toString(serviceWarmUp));
        props.put(RecoveryTuning.PREFIX + ".enabled", Boolean.toString(tidelineTuning));
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        props.forEach((k, v) -> command.add("-D" + k + "=" + v));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), RestoreApplication.class.getName()));
        Path log = work.resolve("replica-" + run + ".log");
        replicaLog = log;
        long t = System.nanoTime();
        Process replica = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        String probe = bed.request(io.tideline.core.ids.InstanceId.of("no-such-instance"), "latest", null);
        bed.await(probe, io.tideline.schemas.RestoreRejected.class, Duration.ofMinutes(3));
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (serviceWarmUp && !Files.readString(log).contains("restore code warmed up") && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        log("run %d: a restore service started in its own JVM, ready after %.1f s", run, seconds(t));
        return replica;
    }

    @Test
    void tidelineVersusPgBackRest(Fleet fleet) throws Exception {
        Path work = Files.createTempDirectory(Path.of("/tmp"), "tlbench-");
        Map<String, String> tuning = RecoveryTuning.defaults().serverSettings();
        try (RestoreTestBed bed = new RestoreTestBed(fleet)) {
            RegisteredInstance source = bed.createSource("bench");
            osUser = fleet.postgres().provisioner().serverUserOf(source.id()).orElse(System.getProperty("user.name"));
            run(List.of("chown", osUser, work.toString()));
            ProvisionedInstance pg = fleet.postgres().provisioner().get(source.id());
            String password = fleet.postgres().secrets().get(source.superuserSecret());
            Map<String, String> pgEnv = Map.of("PGPASSWORD", password);

            log("pgbench -i -s %d", scale);
            long t = System.nanoTime();
            run(List.of(BIN.resolve("pgbench").toString(), "-i", "-q", "-s", Integer.toString(scale), "-h", pg.host(),
                    "-p", Integer.toString(pg.port()), "-U", pg.adminUser(), pg.database()), pgEnv, Duration.ofMinutes(30));
            log("  %.0f s", seconds(t));

            Path conf = configurePgBackRest(fleet, pg, work);
            pgbackrest(conf, pgEnv, "stanza-create");

            try (BucketSeeder seeder = BucketSeeder.attach(fleet.postgres(), pg, fleet.objectStores().forInstance(source.id()),
                    fleet.s3().adminClient(), java.time.Clock.systemUTC(), partBytes);
                 Connection db = fleet.postgres().connect(pg)) {
                log("Tideline base backup (pg_basebackup → zstd level %d → S3 in parts of %d MB)", level, partBytes >> 20);
                t = System.nanoTime();
                BucketSeeder.SeededBackup backup = seeder.seedBaseBackup(null, level);
                seeder.seedWalThrough(backup.manifest().endLsn());
                log("  %.0f s, %d MB raw, %d MB stored in %d part(s)", seconds(t), backup.manifest().rawBytes() >> 20,
                        backup.manifest().storedBytes() >> 20, backup.manifest().parts().size());
                log("pgBackRest full backup (zstd level %d)", level);
                t = System.nanoTime();
                pgbackrest(conf, pgEnv, "--type=full", "backup");
                log("  %.0f s", seconds(t));

                Lsn from = lsn(db);
                log("pgbench until %d MB of WAL", walBytes >> 20);
                while (lsn(db).bytesSince(from) < walBytes) {
                    run(List.of(BIN.resolve("pgbench").toString(), "-n", "-c", "4", "-j", Integer.toString(cores), "-T", "20",
                            "-h", pg.host(), "-p", Integer.toString(pg.port()), "-U", pg.adminUser(), pg.database()), pgEnv,
                            Duration.ofMinutes(2));
                    log("  %d MB", lsn(db).bytesSince(from) >> 20);
                }
                Instant target = now(db);
                run(List.of(BIN.resolve("pgbench").toString(), "-n", "-c", "1", "-t", "50", "-h", pg.host(), "-p",
                        Integer.toString(pg.port()), "-U", pg.adminUser(), pg.database()), pgEnv, Duration.ofMinutes(2));
                log("target %s; archiving the rest", target);
                seeder.seedAllCompletedWal();
                String last = lastCompleteSegment(db);
                awaitArchived(db, last);
                log("  archived through %s", last);
                long historyAtTarget = count(db, "SELECT count(*) FROM pgbench_history WHERE mtime <= '" + PG_TIME.format(target) + "'");

                long mbWal = lsn(db).bytesSince(from) >> 20;
                Map<String, List<Run>> byColumn = new java.util.LinkedHashMap<>();
                COLUMNS.forEach(c -> byColumn.put(c, new ArrayList<>()));
                for (int r = 1; r <= runs; r++) {
                    Process replica = startReplica(bed, work, r);
                    try {
                        Map<String, Run> got = new java.util.LinkedHashMap<>();
                        // Every restore starts with the page cache's dirty data written out: the archiving (and the
                        // restore before) leave gigabytes of writes in flight that would slow whichever runs next.
                        run(List.of("sync"));
                        got.put(COLUMNS.get(0), tideline(fleet, bed, source, target, "run " + r + ", first after start-up"));
                        // pgBackRest's two restores in alternating order: the second of them finds the page cache warmer.
                        for (int i = 0; i < 2; i++) {
                            boolean plain = (i == 0) == (r % 2 == 1);
                            run(List.of("sync"));
                            got.put(COLUMNS.get(plain ? 2 : 3), pgbackrest(conf, pgEnv, pg, password, work.resolve("pgbr-data-" + r + "-" + i),
                                    target, "run " + r, plain ? Map.of() : tuning));
                        }
                        run(List.of("sync"));
                        got.put(COLUMNS.get(1), tideline(fleet, bed, source, target, "run " + r + ", warm"));
                        for (String column : COLUMNS) {
                            Run run = got.get(column);
                            assertEquals(got.get(COLUMNS.get(2)).rows(), run.rows(), column + " restored the same moment");
                            assertTrue(run.rows() >= historyAtTarget && run.rows() > 0, "the restore reached the target");
                            byColumn.get(column).add(run);
                        }
                    } finally {
                        replica.destroy();
                        if (!replica.waitFor(60, TimeUnit.SECONDS)) {
                            replica.destroyForcibly().waitFor();
                        }
                    }
                }
                List<String> rows = new ArrayList<>();
                rows.add(String.format(Locale.ROOT, "%-28s", "phase") + COLUMNS.stream()
                        .map(c -> String.format(Locale.ROOT, " %20s", c)).reduce("", String::concat));
                rows.add(phaseRow("download + unpack", byColumn, Run::unpack));
                rows.add(phaseRow("WAL replay to promotion", byColumn, Run::replay));
                rows.add(phaseRow("settings back + sync", byColumn, Run::settle));
                rows.add(phaseRow("provision/verify/register", byColumn, Run::other));
                rows.add(phaseRow("total RTO", byColumn, Run::total));
                double first = median(byColumn.get(COLUMNS.get(0)), Run::total);
                double warm = median(byColumn.get(COLUMNS.get(1)), Run::total);
                double plain = median(byColumn.get(COLUMNS.get(2)), Run::total);
                double same = median(byColumn.get(COLUMNS.get(3)), Run::total);
                rows.add("");
                rows.add(String.format(Locale.ROOT, "ratio of median total RTO: Tideline first / pgBackRest %.2f, Tideline warm / "
                        + "pgBackRest %.2f, Tideline first / pgBR+same settings %.2f, pgBR+same settings / pgBackRest %.2f",
                        first / plain, warm / plain, first / same, same / plain));
                rows.add("WAL segments from the local spool (Tideline): " + byColumn.get(COLUMNS.get(0)).stream().map(Run::note).toList());
                String table = String.join("\n",
                        String.format(Locale.ROOT, "restore of pgbench -s %d (%d MB raw backup; Tideline %d MB stored in %d part(s) at zstd "
                                        + "level %d, pgBackRest at level %d) + %d MB WAL to a target near the end; %d run(s), each with "
                                        + "a freshly started service; seconds, median (min-max); recovery settings %s%s",
                                scale, backup.manifest().rawBytes() >> 20, backup.manifest().storedBytes() >> 20,
                                backup.manifest().parts().size(), level, level, mbWal, runs, tidelineTuning ? tuning : "{} (Tideline: own)",
                                serviceWarmUp ? "" : "; service warm-up OFF"),
                        String.join("\n", rows));
                System.out.println("\n" + table + "\n");
                String out = System.getProperty("bench.out");
                if (out != null) {
                    Files.writeString(Path.of(out), table + "\n");
                }
            }
        } finally {
            run(List.of("rm", "-rf", work.toString()));
        }
    }

    private static String phaseRow(String phase, Map<String, List<Run>> byColumn, java.util.function.ToDoubleFunction<Run> of) {
        StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%-28s", phase));
        byColumn.values().forEach(runs -> {
            double[] v = runs.stream().mapToDouble(of).sorted().toArray();
            row.append(String.format(Locale.ROOT, " %20s", String.format(Locale.ROOT, "%.1f (%.1f-%.1f)", median(runs, of), v[0], v[v.length - 1])));
        });
        return row.toString();
    }

    private static double median(List<Run> runs, java.util.function.ToDoubleFunction<Run> of) {
        double[] v = runs.stream().mapToDouble(of).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static String show(Connection db, String setting) throws SQLException {
        try (Statement st = db.createStatement(); ResultSet rs = st.executeQuery("SHOW " + setting)) {
            rs.next();
            return rs.getString(1);
        }
    }

    /**
     * Archiving to pgBackRest from the source: a Unix socket for pgBackRest's own connection, a local
     * SCRAM line, {@code archive_mode=on} with {@code archive-push}. Restarts the source.
     */
    private Path configurePgBackRest(Fleet fleet, ProvisionedInstance pg, Path work) throws Exception {
        Path repo = work.resolve("repo");
        Path socket = work.resolve("s");
        for (Path dir : List.of(repo, socket, work.resolve("spool"), work.resolve("log"), work.resolve("lock"))) {
            run(List.of("runuser", "-u", osUser, "--", "mkdir", "-p", dir.toString()));
        }
        Path conf = work.resolve("pgbackrest.conf");
        Files.writeString(conf, String.join("\n",
                "[global]",
                "repo1-path=" + repo,
                "repo1-retention-full=2",
                "compress-type=zst",
                "compress-level=" + level,
                "process-max=" + cores,
                "archive-async=y",
                "spool-path=" + work.resolve("spool"),
                "log-path=" + work.resolve("log"),
                "lock-path=" + work.resolve("lock"),
                "log-level-console=warn",
                "start-fast=y",
                "",
                "[" + STANZA + "]",
                "pg1-path=" + pg.dataDir(),
                "pg1-port=" + pg.port(),
                "pg1-socket-path=" + socket,
                "pg1-user=" + pg.adminUser(),
                ""));
        run(List.of("chmod", "644", conf.toString()));
        Files.writeString(pg.dataDir().resolve("pg_hba.conf"), "\nlocal all all scram-sha-256\n", StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.APPEND);
        try (Connection db = fleet.postgres().connect(pg); Statement st = db.createStatement()) {
            st.execute("ALTER SYSTEM SET unix_socket_directories = '" + socket + "'");
            st.execute("ALTER SYSTEM SET archive_mode = on");
            st.execute("ALTER SYSTEM SET archive_command = 'pgbackrest --config=" + conf + " --stanza=" + STANZA + " archive-push %p'");
            st.execute("ALTER SYSTEM SET max_wal_size = '2GB'");
        }
        fleet.postgres().provisioner().stop(pg.id());
        fleet.postgres().provisioner().start(pg.id());
        return conf;
    }

    private void pgbackrest(Path conf, Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("runuser", "-u", osUser, "--", "env", "PGPASSWORD=" + env.get("PGPASSWORD"),
                "pgbackrest", "--config=" + conf, "--stanza=" + STANZA));
        command.addAll(List.of(args));
        run(command, Map.of(), Duration.ofMinutes(60));
    }

    private static Instant first(List<RestoreProgress> progress, RestorePhase phase) {
        return progress.stream().filter(p -> p.getPhase() == phase).map(RestoreProgress::getOccurredAt).findFirst()
                .orElseThrow(() -> new AssertionError("no " + phase + " progress: " + progress));
    }

    private static void awaitArchived(Connection db, String segment) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        while (System.nanoTime() < deadline) {
            try (Statement st = db.createStatement();
                 ResultSet rs = st.executeQuery("SELECT coalesce(last_archived_wal, '') >= '" + segment + "' FROM pg_stat_archiver")) {
                rs.next();
                if (rs.getBoolean(1)) {
                    return;
                }
            }
            Thread.sleep(500);
        }
        throw new AssertionError("pgBackRest did not archive " + segment + " in time");
    }

    /** The segment before the one being written, after a switch: every WAL up to here is complete. */
    private static String lastCompleteSegment(Connection db) throws SQLException {
        try (Statement st = db.createStatement()) {
            st.execute("SELECT pg_switch_wal()");
            try (ResultSet rs = st.executeQuery("SELECT pg_walfile_name(pg_current_wal_lsn())")) {
                rs.next();
                return WalSegmentName.parse(rs.getString(1), WalSegmentName.DEFAULT_SEGMENT_SIZE).previous().toString();
            }
        }
    }

    private static Connection awaitPromoted(Path data, Path log, int port, String user, String password, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        long startDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        boolean started = false;
        while (true) {
            boolean running = Files.exists(data.resolve("postmaster.pid"));
            started |= running;
            if (!running && (started || System.nanoTime() > startDeadline)) {
                List<String> lines = Files.readAllLines(log);
                throw new AssertionError("the pgBackRest-restored server stopped:\n"
                        + String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size())));
            }
            try {
                Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", user, password);
                try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_is_in_recovery()")) {
                    rs.next();
                    if (!rs.getBoolean(1)) {
                        return c;
                    }
                }
                c.close();
            } catch (SQLException e) {
                // starting up / not consistent yet
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the pgBackRest restore did not promote within " + timeout);
            }
            Thread.sleep(100);
        }
    }

    private static Lsn lsn(Connection db) throws SQLException {
        try (Statement st = db.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_current_wal_lsn()::text")) {
            rs.next();
            return Lsn.parse(rs.getString(1));
        }
    }

    private static Instant now(Connection db) throws SQLException {
        try (Statement st = db.createStatement(); ResultSet rs = st.executeQuery("SELECT clock_timestamp()")) {
            rs.next();
            return rs.getTimestamp(1).toInstant();
        }
    }

    private static long count(Connection db, String sql) throws SQLException {
        try (Statement st = db.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    private static double secondsBetween(Instant a, Instant b) {
        return Duration.between(a, b).toMillis() / 1000.0;
    }

    private static void log(String format, Object... args) {
        System.out.printf(Locale.ROOT, "[bench %s] " + format + "%n", Stream.concat(Stream.of(Instant.now()), Stream.of(args)).toArray());
    }

    private static void run(List<String> command) throws Exception {
        run(command, Map.of(), Duration.ofMinutes(5));
    }

    private static void run(List<String> command, Map<String, String> env, Duration timeout) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + command);
        }
        if (p.exitValue() != 0) {
            throw new AssertionError("exit " + p.exitValue() + " from " + String.join(" ", command) + ":\n"
                    + new String(out, StandardCharsets.UTF_8));
        }
    }
}
