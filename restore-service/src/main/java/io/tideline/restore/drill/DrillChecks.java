package io.tideline.restore.drill;

import io.tideline.core.postgres.PostgresTls;
import io.tideline.core.instance.InstanceProvisioner;
import io.tideline.core.instance.ProvisionedInstance;
import io.tideline.core.registry.DrillPolicy;
import io.tideline.core.secrets.SecretStore;
import io.tideline.restore.DrillRestores.Copy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * What a drill checks on its copy once it is promoted, each a sentence when good and a {@link DrillCheckFailed}
 * naming the check when not, as a script:
 * <ol>
 *   <li>it recovered to the target: no commit after the target was replayed (promotion and "answers queries,
 *       out of recovery" were checked by the restore's own verify step);</li>
 *   <li>the owner's probe query, if the policy has one, returns what the owner expects;</li>
 *   <li>{@code pg_amcheck --all --heapallindexed} is clean: every database's heap (with TOAST) and B-tree
 *       indexes, each index checked against every heap tuple ({@code --install-missing} creates the amcheck
 *       extension in each database of the copy — it is thrown away);</li>
 *   <li>data checksums verify, where the instance has them: {@code pg_checksums --check} on the STOPPED copy
 *       reads every block of every relation fork. A running server only verifies a checksum when it reads a
 *       block from disk, so a block already in shared buffers (e.g. replayed WAL) would escape a check done
 *       through queries; the stopped cluster's files have no such hole. Where the data directory is not on
 *       this machine (a remote provisioner) the fallback is {@code pg_stat_database.checksum_failures} after
 *       pg_amcheck's full read, and the sentence says so.</li>
 * </ol>
 * The copy is stopped by the last check: nothing may be checked after it.
 */
final class DrillChecks {

    private final DrillConfiguration config;
    private final SecretStore secrets;
    private final InstanceProvisioner instances;

    DrillChecks(DrillConfiguration config, SecretStore secrets, InstanceProvisioner instances) {
        this.config = config;
        this.secrets = secrets;
        this.instances = instances;
    }

    List<String> check(Copy copy, Instant target, DrillPolicy policy) {
        List<String> passed = new ArrayList<>();
        passed.add(recoveredToTarget(copy, target));
        policy.probe().ifPresent(p -> passed.add(probe(copy.server(), p)));
        passed.add(amcheck(copy.server()));
        passed.add(checksums(copy));
        return passed;
    }

    /** Check 1: the copy stopped at the target (a commit after it would mean the target was overshot). */
    private static String recoveredToTarget(Copy copy, Instant target) {
        Optional<Instant> last = copy.lastReplayedCommit();
        if (last.isPresent() && last.get().isAfter(target)) {
            throw new DrillCheckFailed("recovery overshot the target " + target + ": it replayed a commit of " + last.get());
        }
        return "recovered to " + target + " and promoted on timeline " + copy.timeline() + " (last replayed commit "
                + last.map(Instant::toString).orElse("none after the backup") + ")";
    }

    /** Check 2: the owner's probe query, read-only, first column of the first row compared as text. */
    private String probe(ProvisionedInstance server, DrillPolicy.Probe probe) {
        try (Connection c = connect(server); Statement st = c.createStatement()) {
            c.setReadOnly(true);
            st.setQueryTimeout((int) Math.min(Integer.MAX_VALUE, config.checkTimeout().toSeconds()));
            try (ResultSet rs = st.executeQuery(probe.query())) {
                if (!rs.next()) {
                    throw new DrillCheckFailed("the probe query returned no row; expected '" + probe.expected() + "'");
                }
                String got = String.valueOf(rs.getString(1));
                if (!got.equals(probe.expected())) {
                    throw new DrillCheckFailed("the probe query returned '" + got + "'; expected '" + probe.expected() + "'");
                }
                return "probe query returned '" + got + "' as expected";
            }
        } catch (SQLException e) {
            throw new DrillCheckFailed("the probe query failed: " + e.getMessage(), e);
        }
    }

    /** Check 3: pg_amcheck over every database, heap and B-tree indexes. */
    private String amcheck(ProvisionedInstance server) {
        PostgresTls tls = PostgresTls.forInstance(secrets, server.id());
        Optional<Path> caFile;
        try {
            caFile = tls.writeCaFile();
        } catch (IOException e) {
            throw new DrillCheckFailed("could not write the CA file for pg_amcheck: " + e.getMessage(), e);
        }
        Map<String, String> env = new java.util.HashMap<>(tls.libpqEnvironment(caFile));
        env.put("PGPASSWORD", secrets.get(server.adminSecret()));
        Run run;
        try {
            run = run(List.of(config.pgBinDir().resolve("pg_amcheck").toString(), "--all", "--install-missing",
                    "--heapallindexed", "--host=" + server.host(), "--port=" + server.port(),
                    "--username=" + server.adminUser(), "--maintenance-db=" + server.database(), "--no-password"),
                    env, "pg_amcheck");
        } finally {
            caFile.ifPresent(f -> f.toFile().delete());
        }
        if (run.exit() != 0) {
            throw new DrillCheckFailed("pg_amcheck found corruption (exit " + run.exit() + "): " + run.tail());
        }
        return "pg_amcheck: heap and B-tree indexes of every database clean";
    }

    /** Check 4: data checksums of every block, on the stopped copy. */
    private String checksums(Copy copy) {
        ProvisionedInstance server = copy.server();
        boolean enabled;
        long failures;
        try (Connection c = connect(server); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT current_setting('data_checksums') = 'on', "
                     + "(SELECT coalesce(sum(checksum_failures), 0) FROM pg_stat_database)")) {
            rs.next();
            enabled = rs.getBoolean(1);
            failures = rs.getLong(2);
        } catch (SQLException e) {
            throw new DrillCheckFailed("could not ask the copy whether it has data checksums: " + e.getMessage(), e);
        }
        if (!enabled) {
            return "data checksums: not enabled on this instance (not checked)";
        }
        if (failures > 0) {
            throw new DrillCheckFailed("data checksums: the copy counted " + failures + " checksum failure(s) while it was read");
        }
        if (!Files.isReadable(server.dataDir().resolve("global").resolve("pg_control"))) {
            return "data checksums: no failure counted while every heap and index block was read (the data directory "
                    + "is not on this machine, so pg_checksums could not read the rest)";
        }
        instances.stop(copy.id());
        Run run = run(List.of(config.pgBinDir().resolve("pg_checksums").toString(), "--check", "--pgdata=" + server.dataDir()),
                Map.of(), "pg_checksums");
        if (run.exit() != 0) {
            throw new DrillCheckFailed("pg_checksums found bad blocks (exit " + run.exit() + "): " + run.tail());
        }
        return "data checksums: every block verified by pg_checksums on the stopped copy";
    }

    private Connection connect(ProvisionedInstance server) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", server.adminUser());
        props.setProperty("password", secrets.get(server.adminSecret()));
        props.setProperty("connectTimeout", "10");
        PostgresTls.forInstance(secrets, server.id()).applyTo(props);
        return DriverManager.getConnection(server.jdbcUrl(), props);
    }

    private record Run(int exit, String tail) {
    }

    /** Runs a tool with a bounded time; the password goes in the environment, never on the command line. */
    private Run run(List<String> command, Map<String, String> env, String what) {
        Path out = null;
        try {
            out = Files.createTempFile("tideline-drill-" + what, ".log");
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile());
            pb.environment().putAll(env);
            Process p = pb.start();
            if (!p.waitFor(config.checkTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly().waitFor();
                throw new DrillCheckFailed(what + " did not finish within " + config.checkTimeout());
            }
            String text = Files.readString(out).strip();
            String tail = text.length() > 1500 ? "…" + text.substring(text.length() - 1500) : text;
            return new Run(p.exitValue(), tail.replace('\n', ' '));
        } catch (IOException e) {
            throw new DrillCheckFailed("could not run " + what + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DrillCheckFailed(what + " was interrupted", e);
        } finally {
            if (out != null) {
                try {
                    Files.deleteIfExists(out);
                } catch (IOException ignored) {
                    // a temporary log file; the OS temp cleaner takes it
                }
            }
        }
    }
}
