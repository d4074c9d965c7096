package io.tideline.platform.local.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tideline.core.ids.InstanceId;
import io.tideline.core.instance.InstanceCredentials;
import io.tideline.core.instance.RecoverySettings;
import io.tideline.core.restore.RestoreTarget;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecoverySetupTest {

    private static final InstanceId ID = InstanceId.of("pg-restored");
    private static final String COMMAND = "mv -f \"/spool/%f\" \"%p\" 2>/dev/null || curl -sf -o \"%p\" http://127.0.0.1:1/wal/%f";

    @TempDir
    Path home;

    @Test
    void recoveryFollowsTheLatestTimelineAndPromotesAtTheTarget() {
        Map<String, String> toTime = RecoverySetup.settings(RecoverySettings.toTime(COMMAND, Instant.parse("2026-12-07T10:15:30.5Z")), 6100);
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("port", "6100");
        expected.put("listen_addresses", "127.0.0.1");
        expected.put("unix_socket_directories", "");
        expected.put("archive_mode", "off");
        expected.put("restore_command", COMMAND);
        expected.put("recovery_target_time", "2026-12-07 10:15:30.500000+00:00");
        expected.put("recovery_target_inclusive", "on");
        expected.put("recovery_target_timeline", "latest");
        expected.put("recovery_target_action", "promote");
        assertEquals(expected, toTime);

        Map<String, String> toLatest = RecoverySetup.settings(RecoverySettings.toLatest(COMMAND), 6100);
        expected.remove("recovery_target_time");
        expected.remove("recovery_target_inclusive");
        assertEquals(expected, toLatest);
    }

    @Test
    void everyKindOfTargetBecomesItsOwnSettingAndOnlyOne() {
        Map<String, String> xid = RecoverySetup.settings(RecoverySettings.to(COMMAND, RestoreTarget.parse("xid:4711", true)), 6100);
        assertEquals("4711", xid.get("recovery_target_xid"));
        assertEquals("off", xid.get("recovery_target_inclusive"));
        Map<String, String> lsn = RecoverySetup.settings(RecoverySettings.to(COMMAND, RestoreTarget.parse("lsn:0/3000028")), 6100);
        assertEquals("0/3000028", lsn.get("recovery_target_lsn"));
        assertEquals("on", lsn.get("recovery_target_inclusive"));
        Map<String, String> name = RecoverySetup.settings(RecoverySettings.to(COMMAND, RestoreTarget.parse("name:before-migration")), 6100);
        assertEquals("before-migration", name.get("recovery_target_name"));
        assertFalse(name.containsKey("recovery_target_inclusive"));
        Map<String, String> immediate = RecoverySetup.settings(RecoverySettings.to(COMMAND, RestoreTarget.parse("immediate")), 6100);
        assertEquals("immediate", immediate.get("recovery_target"));
        for (Map<String, String> m : List.of(xid, lsn, name, immediate)) {
            assertEquals(1, m.keySet().stream().filter(k -> k.startsWith("recovery_target") && !k.equals("recovery_target_inclusive")
                    && !k.equals("recovery_target_timeline") && !k.equals("recovery_target_action")).count(), "one target: " + m);
            assertEquals("promote", m.get("recovery_target_action"));
        }
    }

    @Test
    void aBackupsOwnTargetsAndPrimaryAreDropped() {
        for (String key : new String[] {"recovery_target", "recovery_target_lsn", "recovery_target_xid", "recovery_target_name",
                "recovery_target_inclusive", "primary_conninfo", "primary_slot_name"}) {
            assertTrue(RecoverySetup.isReplaced(key), key);
        }
        for (String key : new String[] {"port", "shared_buffers", "restore_command", "archive_command"}) {
            assertFalse(RecoverySetup.isReplaced(key), key);
        }
    }

    @Test
    void anUnpackedBackupIsMadeReadyForArchiveRecovery() throws IOException {
        InstanceDirectory dir = unpackedBackup("15");
        Path pgdata = dir.dataDir();
        Files.writeString(pgdata.resolve("postgresql.auto.conf"),
                "primary_conninfo = 'host=source'\nrecovery_target_name = 'old'\nwork_mem = '8MB'\n");
        Files.writeString(pgdata.resolve("standby.signal"), "");
        Files.writeString(pgdata.resolve("postmaster.pid"), "4242\n");

        RecoverySetup.prepare(ID, dir, record(6200), RecoverySettings.toLatest(COMMAND), "15");

        String auto = Files.readString(pgdata.resolve("postgresql.auto.conf"));
        assertTrue(auto.contains("work_mem = '8MB'"), auto);
        assertFalse(auto.contains("primary_conninfo") || auto.contains("recovery_target_name"), auto);
        assertTrue(auto.contains("restore_command = 'mv -f \"/spool/%f\" \"%p\" 2>/dev/null || curl"), auto);
        assertTrue(auto.contains("port = '6200'"), auto);
        assertTrue(Files.exists(pgdata.resolve("recovery.signal")));
        assertFalse(Files.exists(pgdata.resolve("standby.signal")), "would make the server wait for a primary");
        assertFalse(Files.exists(pgdata.resolve("postmaster.pid")), "would make the server wait for a PID");
        assertTrue(Files.exists(pgdata.resolve("postgresql.conf")), "packaged clusters' backups lack it");
        assertTrue(Files.readString(pgdata.resolve("pg_hba.conf")).contains("host    replication   tideline_replicator"));
    }

    /** Issue 18.2: settings for replay speed in force while recovering, the instance's own file back afterwards. */
    @Test
    void recoveryOnlySettingsGoOnTopAndTheInstancesOwnFileComesBackAfterwardsAlsoAfterASecondRecovery() throws IOException {
        InstanceDirectory dir = unpackedBackup("15");
        Path auto = dir.dataDir().resolve("postgresql.auto.conf");
        Files.writeString(auto, "max_wal_size = '2GB'\nwork_mem = '8MB'\n");
        Map<String, String> speed = Map.of("fsync", "off", "max_wal_size", "4GB");

        RecoverySetup.prepare(ID, dir, record(6200), RecoverySettings.toTime(COMMAND, Instant.parse("2026-12-07T10:15:30Z"))
                .withRecoveryOnly(speed), "15");
        String recovering = Files.readString(auto);
        assertTrue(recovering.contains("fsync = 'off'") && recovering.contains("max_wal_size = '4GB'"), recovering);
        assertFalse(recovering.contains("max_wal_size = '2GB'"), "one value per key: " + recovering);
        assertTrue(recovering.contains("recovery_target_time ="), recovering);

        // The target lay after the archive's last commit: recovery again, to latest, from the own settings.
        RecoverySetup.prepare(ID, dir, record(6200), RecoverySettings.toLatest(COMMAND).withRecoveryOnly(speed), "15");
        assertFalse(Files.readString(auto).contains("recovery_target_time ="), Files.readString(auto));

        assertTrue(RecoverySetup.restoreOwnSettings(dir));
        String own = Files.readString(auto);
        assertTrue(own.contains("max_wal_size = '2GB'") && own.contains("work_mem = '8MB'"), own);
        assertFalse(own.contains("fsync") || own.contains("'4GB'") || own.contains("recovery_target_time ="), own);
        assertTrue(own.contains("restore_command"), "the recovery's own settings stay, as without tuning: " + own);
        assertFalse(Files.exists(dir.path().resolve(RecoverySetup.OWN_AUTO_CONF)));
        assertFalse(RecoverySetup.restoreOwnSettings(dir), "nothing to put back twice");

        dir.deleteQuietly();
        InstanceDirectory plain = unpackedBackup("15");
        RecoverySetup.prepare(ID, plain, record(6200), RecoverySettings.toLatest(COMMAND), "15");
        assertFalse(RecoverySetup.restoreOwnSettings(plain), "recovered with its own settings: nothing to put back");
    }

    @Test
    void aCopyWithTlsServesItsOwnCertificateAndTakesTlsOnlyWithoutItSslIsOff() throws IOException {
        InstanceDirectory dir = unpackedBackup("15");
        Path pgdata = dir.dataDir();
        // the source's own settings, carried in its backup: they name the source's files
        Files.writeString(pgdata.resolve("postgresql.auto.conf"),
                "ssl = 'on'\nssl_cert_file = '/home/instances/source/tls/tls.crt'\nssl_key_file = '/home/instances/source/tls/tls.key'\n");

        RecoverySetup.prepare(ID, dir, record(6200), RecoverySettings.toLatest(COMMAND), "15", PostgresNetwork.loopback(), true);
        String auto = Files.readString(pgdata.resolve("postgresql.auto.conf"));
        assertTrue(auto.contains("ssl_cert_file = '" + dir.path().resolve("tls").resolve("tls.crt") + "'"), auto);
        assertTrue(auto.contains("ssl_key_file = '" + dir.path().resolve("tls").resolve("tls.key") + "'"), auto);
        assertFalse(auto.contains("/home/instances/source/"), auto);
        String hba = Files.readString(pgdata.resolve("pg_hba.conf"));
        assertTrue(hba.contains("hostssl    replication   tideline_replicator"), hba);
        assertFalse(hba.lines().anyMatch(l -> l.startsWith("host ")), "a TCP line without TLS: " + hba);

        dir.delete();
        InstanceDirectory plain = unpackedBackup("15");
        Files.writeString(plain.dataDir().resolve("postgresql.auto.conf"), "ssl = 'on'\n");
        RecoverySetup.prepare(ID, plain, record(6200), RecoverySettings.toLatest(COMMAND), "15", PostgresNetwork.loopback(), false);
        assertTrue(Files.readString(plain.dataDir().resolve("postgresql.auto.conf")).contains("ssl = 'off'"));
        assertTrue(Files.readString(plain.dataDir().resolve("pg_hba.conf")).contains("host    replication   tideline_replicator"));
    }

    @Test
    void onAHostOfAFleetWithTlsTheCopysClientNetworksTooTakeTlsOnly() throws IOException {
        InstanceDirectory dir = unpackedBackup("15");
        RecoverySetup.prepare(ID, dir, record(6210), RecoverySettings.toLatest(COMMAND), "15",
                new PostgresNetwork("10.231.7.32", List.of("10.231.7.0/24")), true);
        String hba = Files.readString(dir.dataDir().resolve("pg_hba.conf"));
        assertTrue(hba.contains("hostssl    all           all        10.231.7.0/24    scram-sha-256"), hba);
        assertFalse(hba.lines().anyMatch(l -> l.startsWith("host ")), "a TCP line without TLS: " + hba);
        assertEquals(List.of("127.0.0.1", "10.231.7.32"), new PostgresNetwork("10.231.7.32", List.of()).addresses());
    }

    @Test
    void onAHostOfAFleetTheCopyListensOnTheHostsAddressAndLetsInItsClientNetworks() throws IOException {
        InstanceDirectory dir = unpackedBackup("15");
        Path pgdata = dir.dataDir();
        Files.writeString(pgdata.resolve("postgresql.auto.conf"), "listen_addresses = '10.9.9.9'\n"); // the source's

        RecoverySetup.prepare(ID, dir, record(6210), RecoverySettings.toLatest(COMMAND), "15",
                new PostgresNetwork("10.231.7.32", List.of("10.231.7.0/24")));

        String auto = Files.readString(pgdata.resolve("postgresql.auto.conf"));
        assertTrue(auto.contains("listen_addresses = '10.231.7.32,127.0.0.1'"), auto);
        assertFalse(auto.contains("10.9.9.9"), auto);
        String hba = Files.readString(pgdata.resolve("pg_hba.conf"));
        assertTrue(hba.contains("host    all           all        10.231.7.0/24    scram-sha-256"), hba);
        assertTrue(hba.contains("host    replication   tideline_replicator    10.231.7.0/24    scram-sha-256"), hba);
        assertTrue(hba.contains("127.0.0.1/32"), hba);
        assertFalse(hba.contains("trust") || hba.contains("0.0.0.0"), hba);
    }

    @Test
    void aNetworkIsAnAddressOfTheHostNeverAWildcard() {
        assertThrows(IllegalArgumentException.class, () -> new PostgresNetwork("0.0.0.0", List.of()));
        assertThrows(IllegalArgumentException.class, () -> new PostgresNetwork("*", List.of()));
        assertThrows(IllegalArgumentException.class, () -> new PostgresNetwork("10.0.0.5", List.of("10.0.0.0")));
        assertEquals("127.0.0.1", PostgresNetwork.loopback().listenAddresses());
        assertTrue(PostgresNetwork.loopback().hbaLines("r").isEmpty());
    }

    @Test
    void aDataDirectoryWithoutABackupOrFromAnotherMajorIsRefused() throws IOException {
        InstanceDirectory empty = directory();
        IllegalStateException none = assertThrows(IllegalStateException.class,
                () -> RecoverySetup.prepare(ID, empty, record(6300), RecoverySettings.toLatest(COMMAND), "15"));
        assertTrue(none.getMessage().contains("unpack a base backup"), none.getMessage());

        InstanceDirectory older = unpackedBackup("14");
        IllegalStateException other = assertThrows(IllegalStateException.class,
                () -> RecoverySetup.prepare(ID, older, record(6300), RecoverySettings.toLatest(COMMAND), "15"));
        assertTrue(other.getMessage().contains("from PostgreSQL 14 but this provisioner runs PostgreSQL 15"), other.getMessage());
        assertFalse(Files.exists(older.dataDir().resolve("recovery.signal")));
    }

    private InstanceDirectory directory() throws IOException {
        Files.deleteIfExists(home.resolve("instances").resolve(ID.value()).resolve("pgdata"));
        InstanceDirectory dir = new InstanceDirectories(home.resolve("instances"),
                new ServerUser(Optional.empty(), home.getFileSystem())).of(ID);
        dir.deleteQuietly();
        dir.create();
        return dir;
    }

    private InstanceDirectory unpackedBackup(String major) throws IOException {
        InstanceDirectory dir = directory();
        Files.writeString(dir.dataDir().resolve("PG_VERSION"), major + "\n");
        return dir;
    }

    private static InstanceRecord record(int port) {
        return InstanceRecord.of(ID, port, InstanceRecord.ORIGIN_RESTORE, InstanceCredentials.standard(ID), "15.18",
                "2026-12-07T12:00:00Z", null);
    }
}
