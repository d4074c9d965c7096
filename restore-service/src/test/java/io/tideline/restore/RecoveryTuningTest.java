package io.tideline.restore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micronaut.context.ApplicationContext;
import io.tideline.core.instance.RecoverySettings;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RecoveryTuningTest {

    private static ApplicationContext start(Map<String, Object> properties) {
        Map<String, Object> all = new HashMap<>(properties);
        all.put("tideline.kafka.topics.create-on-startup", false);
        return ApplicationContext.run(all);
    }

    @Test
    void anEmptyConfigurationRecoversWithFsyncOffAndSettingsForReplaySpeed() {
        try (ApplicationContext ctx = start(Map.of())) {
            RecoveryTuning tuning = ctx.getBean(RecoveryTuning.class);
            assertEquals(RecoveryTuning.defaults(), tuning);
            assertEquals(Map.of("fsync", "off", "recovery_prefetch", "try", "maintenance_io_concurrency", "64",
                    "shared_buffers", "512MB", "checkpoint_timeout", "3600s", "max_wal_size", "4GB"), tuning.serverSettings());
            RestoreWarmUp.Settings warmUp = ctx.getBean(RestoreWarmUp.Settings.class);
            assertTrue(warmUp.enabled());
            assertEquals(16L << 20, warmUp.bytes());
        }
    }

    @Test
    void eachSettingBindsAndDisabledMeansTheInstancesOwn() {
        try (ApplicationContext ctx = start(Map.of("tideline.restore.recovery.fsync-off", false,
                "tideline.restore.recovery.shared-buffers", "1GB", "tideline.restore.recovery.checkpoint-timeout", "30m"))) {
            Map<String, String> s = ctx.getBean(RecoveryTuning.class).serverSettings();
            assertEquals(null, s.get("fsync"));
            assertEquals("1GB", s.get("shared_buffers"));
            assertEquals("1800s", s.get("checkpoint_timeout"));
        }
        try (ApplicationContext ctx = start(Map.of("tideline.restore.recovery.enabled", false))) {
            assertEquals(Map.of(), ctx.getBean(RecoveryTuning.class).serverSettings());
        }
        assertEquals(Map.of(), RecoveryTuning.none().serverSettings());
    }

    @Test
    void badValuesAreRefusedNamingTheProperty() {
        RecoveryTuning d = RecoveryTuning.defaults();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new RecoveryTuning(true, true, "maybe",
                64, "512MB", Duration.ofHours(1), "4GB"));
        assertTrue(e.getMessage().contains("tideline.restore.recovery.recovery-prefetch"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new RecoveryTuning(true, true, "try", 64, "lots",
                Duration.ofHours(1), "4GB"));
        assertTrue(e.getMessage().contains("shared-buffers"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new RecoveryTuning(true, true, "try", 64, "512MB",
                Duration.ofDays(2), "4GB"));
        assertTrue(e.getMessage().contains("checkpoint-timeout"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> RecoverySettings.toLatest("curl -o %p x/%f")
                .withRecoveryOnly(Map.of("fsync; DROP", "off")));
        assertEquals(d.serverSettings(), RecoverySettings.toLatest("curl -o %p x/%f").withRecoveryOnly(d.serverSettings()).recoveryOnly());
    }
}
