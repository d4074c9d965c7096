package io.tideline.archiver.basebackup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tideline.core.ids.BackupId;
import io.tideline.core.ids.InstanceId;
import io.tideline.core.registry.RegisteredInstance;
import io.tideline.core.secrets.SecretRef;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class PgBaseBackupTest {

    private static final RegisteredInstance INSTANCE = new RegisteredInstance(InstanceId.of("pg-1"), "orders", "127.0.0.1",
            54321, "postgres", "postgres", SecretRef.of("instances/pg-1/postgres"), "tideline_replication",
            SecretRef.of("instances/pg-1/replication"), "tideline-pg-1", SecretRef.of("instances/pg-1/s3-access-key"),
            SecretRef.of("instances/pg-1/s3-secret-key"), 15, 16L * 1024 * 1024, Optional.empty(), Optional.empty(),
            Optional.empty(), Instant.parse("2026-11-24T00:00:00Z"));

    @Test
    void streamsOneTarWithoutWalToStdoutAndNoSecretOnTheCommandLine() {
        List<String> cmd = PgBaseBackup.command(BackupSettings.defaults(), INSTANCE, BackupId.parse("20261124T020000Z-a1b2c3"));
        assertEquals("/usr/lib/postgresql/15/bin/pg_basebackup", cmd.get(0));
        assertTrue(cmd.containsAll(List.of("--host=127.0.0.1", "--port=54321", "--username=tideline_replication",
                "--pgdata=-", "--format=tar", "--wal-method=none", "--checkpoint=fast", "--progress", "--no-password",
                "--label=tideline 20261124T020000Z-a1b2c3")), cmd.toString());
        assertFalse(cmd.stream().anyMatch(a -> a.startsWith("--max-rate")), "unthrottled by default");
        assertFalse(cmd.stream().anyMatch(a -> a.contains("password=")), cmd.toString());
    }

    @Test
    void aRateLimitIsPassedInKilobytes() {
        BackupSettings d = BackupSettings.defaults();
        BackupSettings throttled = new BackupSettings(d.postgresBinDir(), d.compressionLevel(), d.compressionWorkers(),
                d.partRawBytes(), d.partsInFlight(), OptionalLong.of(8192), false, d.walWaitTimeout(), d.walPollInitial(), d.walPollMax(),
                d.progressInterval(), d.registryCatchUpTimeout(), d.unknownInstanceGrace(), d.connectTimeout());
        List<String> cmd = PgBaseBackup.command(throttled, INSTANCE, BackupId.parse("20261124T020000Z-a1b2c3"));
        assertTrue(cmd.contains("--max-rate=8192k"), cmd.toString());
        assertTrue(cmd.contains("--checkpoint=spread"), cmd.toString());
    }

    @Test
    void thePasswordGoesInTheChildsEnvironmentAndInheritedLibpqVariablesDoNot() {
        Map<String, String> env = PgBaseBackup.environment(
                Map.of("PATH", "/usr/bin", "PGHOST", "elsewhere", "PGPASSFILE", "/tmp/x", "LANG", "C.UTF-8"), "s3cr3t", 10);
        assertEquals("s3cr3t", env.get("PGPASSWORD"));
        assertEquals("/usr/bin", env.get("PATH"));
        assertEquals("C.UTF-8", env.get("LANG"));
        assertFalse(env.containsKey("PGHOST"));
        assertFalse(env.containsKey("PGPASSFILE"));
        assertEquals("10", env.get("PGCONNECT_TIMEOUT"));
    }

    @Test
    void progressLinesGiveTheServersEstimateInBytes() {
        assertEquals(OptionalLong.of(53768L * 1024), PgBaseBackup.totalEstimate("53768/53768 kB (100%), 0/1 tablespace (-          )"));
        assertEquals(OptionalLong.of(1_500_000L * 1024), PgBaseBackup.totalEstimate("     12/1500000 kB (0%), 0/1 tablespace"));
        assertEquals(OptionalLong.empty(), PgBaseBackup.totalEstimate("pg_basebackup: checkpoint completed"));
        assertEquals(OptionalLong.empty(), PgBaseBackup.totalEstimate("NOTICE:  WAL archiving is not enabled; you must ensure ..."));
    }
}
