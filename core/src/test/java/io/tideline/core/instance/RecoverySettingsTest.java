package io.tideline.core.instance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tideline.core.ids.InstanceId;
import io.tideline.core.restore.RestoreTarget;
import io.tideline.core.secrets.SecretRef;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RecoverySettingsTest {

    @Test
    void formatsTheTargetWithMicrosecondsAndAnExplicitUtcOffset() {
        RecoverySettings s = RecoverySettings.toTime("cp /a/%f %p", Instant.parse("2026-11-24T08:00:00.123456789Z"));
        // Truncated, not rounded, to the server's microseconds: never a target after the one asked for.
        assertEquals(Optional.of("2026-11-24 08:00:00.123456+00:00"), s.postgresTargetTime());
        assertEquals(Optional.empty(), RecoverySettings.toLatest("cp /a/%f %p").postgresTargetTime());
    }

    @Test
    void eachKindOfTargetIsOneRecoveryTargetSettingWithItsInclusiveness() {
        String cmd = "cp /a/%f %p";
        assertEquals(Map.of("recovery_target_time", "2026-11-24 08:00:00.000000+00:00", "recovery_target_inclusive", "off"),
                RecoverySettings.to(cmd, RestoreTarget.parse("2026-11-24T08:00:00Z", true)).postgresTargetSettings());
        assertEquals(Map.of("recovery_target_lsn", "0/3000028", "recovery_target_inclusive", "on"),
                RecoverySettings.to(cmd, RestoreTarget.parse("lsn:0/3000028")).postgresTargetSettings());
        assertEquals(Map.of("recovery_target_xid", "900", "recovery_target_inclusive", "off"),
                RecoverySettings.to(cmd, RestoreTarget.parse("xid:" + ((1L << 32) + 900), true)).postgresTargetSettings());
        assertEquals(Map.of("recovery_target_name", "before-migration"),
                RecoverySettings.to(cmd, RestoreTarget.parse("name:before-migration")).postgresTargetSettings());
        assertEquals(Map.of("recovery_target", "immediate"),
                RecoverySettings.to(cmd, RestoreTarget.parse("immediate:20261124T080102Z-3f9a")).postgresTargetSettings());
        assertEquals(Map.of(), RecoverySettings.toLatest(cmd).postgresTargetSettings());
    }

    @Test
    void rejectsCommandsThatCannotWork() {
        assertThrows(IllegalArgumentException.class, () -> RecoverySettings.toLatest(""));
        assertThrows(IllegalArgumentException.class, () -> RecoverySettings.toLatest("cp /a/x %p"));
        assertThrows(IllegalArgumentException.class, () -> RecoverySettings.toLatest("cp /a/%f /b"));
        assertThrows(IllegalArgumentException.class, () -> RecoverySettings.toLatest("cp /a/%f %p\nrm -rf /"));
        assertThrows(NullPointerException.class, () -> new RecoverySettings("cp %f %p", null));
    }

    @Test
    void standardCredentialsAreNamedAfterTheInstance() {
        InstanceCredentials c = InstanceCredentials.standard(InstanceId.of("pg-7"));
        assertEquals("tideline_admin", c.adminUser());
        assertEquals(SecretRef.of("instances/pg-7/admin"), c.adminSecret());
        assertEquals("tideline_replicator", c.replicationUser());
        assertEquals(SecretRef.of("instances/pg-7/replicator"), c.replicationSecret());
        assertThrows(IllegalArgumentException.class, () -> new InstanceCredentials("a", c.adminSecret(), "a", c.replicationSecret()));
        assertThrows(IllegalArgumentException.class, () -> new InstanceCredentials("Robert'); DROP", c.adminSecret(), "b", c.replicationSecret()));
    }

    @Test
    void aProvisionedInstanceValidatesAndBuildsItsUrl() {
        InstanceCredentials c = InstanceCredentials.standard(InstanceId.of("pg-7"));
        ProvisionedInstance i = new ProvisionedInstance(InstanceId.of("pg-7"), "127.0.0.1", 40001, "postgres", c, Path.of("/x"), "15.18");
        assertEquals("jdbc:postgresql://127.0.0.1:40001/postgres", i.jdbcUrl());
        assertEquals(15, i.majorVersion());
        assertThrows(IllegalArgumentException.class, () -> new ProvisionedInstance(InstanceId.of("pg-7"), "127.0.0.1", 0, "postgres", c, Path.of("/x"), "15"));
        assertThrows(IllegalArgumentException.class, () -> new ProvisionedInstance(InstanceId.of("pg-7"), "127.0.0.1", 1, "postgres", c, Path.of("/x"), "fifteen"));
        assertThrows(IllegalArgumentException.class, () -> new InstanceSpec(3L << 20));
        assertEquals(64, new InstanceSpec(64L << 20).walSegmentSizeMb());
    }
}
