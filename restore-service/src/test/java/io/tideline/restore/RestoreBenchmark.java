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
 * Tideline (into its bucket, as the archiver does) and pgBackRest 2.45 (posix repository, zstd level 3
 * like Tideline, process-max = the machine's cores, async archive-get), with the database quiet between
 * the two backups; then about {@code bench.wal-mb} MB of WAL from a pgbench run are archived by both; then
 * both restore to the same target time near the end into a new cluster, {@code bench.rounds} times with the
 * order alternating. Prints seconds per phase and the ratio, and writes the table to {@code bench.out}.
 */
@ExtendWith(FleetExtension.class)
class RestoreBenchmark {

    private static final Path BIN = Path.of("/usr/lib/postgresql/15/bin");
    private static final DateTimeFormatter PG_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSSxxx").withZone(ZoneOffset.UTC);
    private static final String STANZA = "bench";
    private static final java.util.regex.Pattern SPOOL_NOTE =
            java.util.regex.Pattern.compile("(\\d+) of (\\d+) segment\\(s\\) taken from the local spool");

    private final int scale = Integer.getInteger("bench.scale", 100);
    private final long walBytes = Long.getLong("bench.wal-mb", 1024) * 1024 * 1024;
    private final int cores = Runtime.getRuntime().availableProcessors();
    private final int rounds = Integer.getInteger("bench.rounds", 2);
    private final boolean warmup = Boolean.parseBoolean(System.getProperty("bench.warmup", "true"));

    /** One restore's seconds per phase, and the rows it holds at the target. */
    private record Run(double unpack, double replay, double other, double total, long rows, String note) {
    }

    /** Through the service: request to {@code RestoreCompleted}; phases from its progress events. */
    private Run tideline(Fleet fleet, RestoreTestBed bed, RegisteredInstance source, Instant target, int round) throws Exception {
        log("round %d: Tideline restore to %s", round, target);
        long requested = System.nanoTime();
        Instant requestedAt = Instant.now();
        String restoreId = bed.request(source.id(), target.toString(), null);
        RestoreCompleted done = bed.await(restoreId, RestoreCompleted.class, Duration.ofMinutes(60));
        double total = seconds(requested);
        List<RestoreProgress> progress = bed.eventsOf(restoreId, RestoreProgress.class);
        Instant download = first(progress, RestorePhase.RESTORING_BACKUP);
        Instant replay = first(progress, RestorePhase.REPLAYING_WAL);
        Instant promoted = first(progress, RestorePhase.PROMOTING);
        String spool = progress.stream().map(RestoreProgress::getMessage).filter(m -> m != null && m.contains("local spool"))
                .map(SPOOL_NOTE::matcher).filter(java.util.regex.Matcher::find).map(m -> m.group(1) + " of " + m.group(2))
                .findFirst().orElse("?");
        long rows;
        try (Connection restored = DriverManager.getConnection("jdbc:postgresql://" + done.getHost() + ":" + done.getPort()
                + "/" + done.getDatabase(), done.getUser(), fleet.postgres().secrets().get(SecretRef.of(done.getSecretRef())))) {
            rows = count(restored, "SELECT count(*) FROM pgbench_history");
        }
        // Destroyed at once: its files would crowd the page cache and the disk of what follows.
        fleet.postgres().provisioner().destroy(io.tideline.core.ids.InstanceId.of(done.getNewInstanceId()));
        double unpack = secondsBetween(download, replay);
        double replayed = secondsBetween(replay, promoted);
        Instant accepted = bed.await(restoreId, io.tideline.schemas.RestoreAccepted.class, Duration.ofSeconds(1)).getOccurredAt();
        log("  %.1f s: request to accepted %.2f s, provisioning %.2f s, promotion to completed %.2f s", total,
                secondsBetween(requestedAt, accepted), secondsBetween(first(progress, RestorePhase.PROVISIONING), download),
                secondsBetween(promoted, done.getOccurredAt()));
        return new Run(unpack, replayed, total - unpack - replayed, total, rows, spool);
    }

    /** {@code pgbackrest restore}, then start the cluster and wait until it has promoted. */
    private Run pgbackrest(Path conf, Map<String, String> pgEnv, ProvisionedInstance pg, String password, Path pgbrData,
                           Instant target, int round) throws Exception {
        log("round %d: pgBackRest restore to %s", round, target);
        run(List.of("runuser", "-u", "postgres", "--", "mkdir", "-m", "700", pgbrData.toString()));
        long restoreStart = System.nanoTime();
        pgbackrest(conf, pgEnv, "--pg1-path=" + pgbrData, "--type=time", "--target=" + PG_TIME.format(target),
                "--target-action=promote", "restore");
        double unpack = seconds(restoreStart);
        int port = freePort();
        // pgBackRest wrote restore_command and the target; the copy of the source's settings needs its own port.
        Files.writeString(pgbrData.resolve("postgresql.auto.conf"), "\nport = " + port + "\narchive_mode = off\n"
                + "unix_socket_directories = ''\n", StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);
        long replayStart = System.nanoTime();
        Path log = pgbrData.resolveSibling("pgbr-restore-" + round + ".log");
        run(List.of("runuser", "-u", "postgres", "--", BIN.resolve("pg_ctl").toString(), "start", "-D", pgbrData.toString(),
                "-l", log.toString(), "-W"));
        try (Connection restored = awaitPromoted(pgbrData, log, port, pg.adminUser(), password, Duration.ofMinutes(60))) {
            double replay = seconds(replayStart);
            double total = seconds(restoreStart);
            long rows = count(restored, "SELECT count(*) FROM pgbench_history");
            log("  %.1f s", total);
            return new Run(unpack, replay, 0, total, rows, "");
        } finally {
            run(List.of("runuser", "-u", "postgres", "--", BIN.resolve("pg_ctl").toString(), "stop", "-D", pgbrData.toString(),
                    "-m", "immediate"));
            run(List.of("rm", "-rf", pgbrData.toString()));
        }
    }

    @Test
    void tidelineVersusPgBackRest(Fleet fleet) throws Exception {
        Path work = Files.createTempDirectory(Path.of("/tmp"), "tlbench-");
        run(List.of("chown", "postgres:postgres", work.toString()));
        try (RestoreTestBed bed = new RestoreTestBed(fleet)) {
            RegisteredInstance source = bed.createSource("bench");
            // Running all along, as a deployed service is: restores do not find it just started.
            bed.startService();
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

            try (BucketSeeder seeder = BucketSeeder.attach(fleet, source.id());
                 Connection db = fleet.postgres().connect(pg)) {
                log("Tideline base backup (pg_basebackup → zstd → S3)");
                t = System.nanoTime();
                BucketSeeder.SeededBackup backup = seeder.seedBaseBackup();
                seeder.seedWalThrough(backup.manifest().endLsn());
                log("  %.0f s, %d MB raw, %d MB stored", seconds(t), backup.manifest().rawBytes() >> 20, backup.manifest().storedBytes() >> 20);
                log("pgBackRest full backup");
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
                List<String> rows = new ArrayList<>();
                List<Run> tls = new ArrayList<>();
                List<Run> brs = new ArrayList<>();
                // Round 0 warms up: the first restore after the service (and S3Proxy) started runs on cold JVMs
                // (interpreted sha256, tar and HTTP code), which a long-running service does not; shown, not summed.
                for (int round = warmup ? 0 : 1; round <= rounds; round++) {
                    // Alternate who goes first: the second restore of a round finds the page cache warmer.
                    boolean tidelineFirst = round % 2 == 1 || round == 0;
                    Run tl = null;
                    Run br = null;
                    for (int i = 0; i < 2; i++) {
                        // Both restores start with the page cache's dirty data written out: the archiving (and the
                        // restore before) leave gigabytes of writes in flight that would slow whichever runs next.
                        run(List.of("sync"));
                        if ((i == 0) == tidelineFirst) {
                            tl = tideline(fleet, bed, source, target, round);
                        } else {
                            br = pgbackrest(conf, pgEnv, pg, password, work.resolve("pgbr-data-" + round), target, round);
                        }
                    }
                    assertEquals(br.rows(), tl.rows(), "both restored the same moment");
                    assertTrue(tl.rows() >= historyAtTarget && tl.rows() > 0, "the restore reached the target");
                    String order = round == 0 ? "warm-up" : tidelineFirst ? "Tideline first" : "pgBackRest first";
                    rows.add(row(round + " (" + order + ")", "download + unpack (s)", tl.unpack(), br.unpack()));
                    rows.add(row("", "WAL replay to promotion (s)", tl.replay(), br.replay()));
                    rows.add(String.format(Locale.ROOT, "%-20s %-30s %10.1f %12s %8s", "", "provision/verify/register (s)", tl.other(), "-", "-"));
                    rows.add(row("", "total RTO (s)", tl.total(), br.total()));
                    if (round > 0) {
                        tls.add(tl);
                        brs.add(br);
                    }
                    rows.add(String.format(Locale.ROOT, "%-20s %-30s %s", "", "WAL segments from the spool", tl.note()));
                }
                rows.add(row("rounds 1.." + rounds + " (sum)", "download + unpack (s)", sum(tls, Run::unpack), sum(brs, Run::unpack)));
                rows.add(row("", "WAL replay to promotion (s)", sum(tls, Run::replay), sum(brs, Run::replay)));
                rows.add(row("", "total RTO (s)", sum(tls, Run::total), sum(brs, Run::total)));
                String table = String.join("\n",
                        String.format(Locale.ROOT, "restore of pgbench -s %d (%d MB raw backup) + %d MB WAL to a target near the end, %d round(s)",
                                scale, backup.manifest().rawBytes() >> 20, mbWal, rounds),
                        String.format(Locale.ROOT, "%-20s %-30s %10s %12s %8s", "round", "phase", "Tideline", "pgBackRest", "ratio"),
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

    /**
     * Archiving to pgBackRest from the source: a Unix socket for pgBackRest's own connection, a local
     * SCRAM line, {@code archive_mode=on} with {@code archive-push}. Restarts the source.
     */
    private Path configurePgBackRest(Fleet fleet, ProvisionedInstance pg, Path work) throws Exception {
        Path repo = work.resolve("repo");
        Path socket = work.resolve("s");
        for (Path dir : List.of(repo, socket, work.resolve("spool"), work.resolve("log"), work.resolve("lock"))) {
            run(List.of("runuser", "-u", "postgres", "--", "mkdir", "-p", dir.toString()));
        }
        Path conf = work.resolve("pgbackrest.conf");
        Files.writeString(conf, String.join("\n",
                "[global]",
                "repo1-path=" + repo,
                "repo1-retention-full=2",
                "compress-type=zst",
                "compress-level=3",
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
        List<String> command = new ArrayList<>(List.of("runuser", "-u", "postgres", "--", "env", "PGPASSWORD=" + env.get("PGPASSWORD"),
                "pgbackrest", "--config=" + conf, "--stanza=" + STANZA));
        command.addAll(List.of(args));
        run(command, Map.of(), Duration.ofMinutes(60));
    }

    private static String row(String round, String phase, double tideline, double pgbackrest) {
        return String.format(Locale.ROOT, "%-20s %-30s %10.1f %12.1f %8.2f", round, phase, tideline, pgbackrest, tideline / pgbackrest);
    }

    private static double sum(List<Run> runs, java.util.function.ToDoubleFunction<Run> phase) {
        return runs.stream().mapToDouble(phase).sum();
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
