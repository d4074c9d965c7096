package io.tideline.archiver.basebackup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micronaut.context.ApplicationContext;
import java.time.Duration;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class BackupSettingsTest {

    @Test
    void propertiesBindAndUnsetOnesKeepTheDefaults() {
        try (ApplicationContext ctx = ApplicationContext.builder()
                .properties(Map.of(BackupConfiguration.PREFIX + ".compression-level", 3,
                        BackupConfiguration.PREFIX + ".part-raw-bytes", "64MB",
                        BackupConfiguration.PREFIX + ".max-rate-kb-per-second", 8192,
                        BackupConfiguration.PREFIX + ".wal-wait-timeout", "20m",
                        "tideline.kafka.topics.create-on-startup", false))
                .start()) {
            BackupSettings s = ctx.getBean(BackupConfiguration.class).toSettings();
            assertEquals(3, s.compressionLevel());
            assertEquals(64L * 1024 * 1024, s.partRawBytes());
            assertEquals(OptionalLong.of(8192), s.maxRateKbPerSecond());
            assertEquals(Duration.ofMinutes(20), s.walWaitTimeout());
            assertEquals(BackupSettings.DEFAULT_WAL_POLL_MAX, s.walPollMax());
            assertEquals(BackupSettings.DEFAULT_POSTGRES_BIN_DIR, s.postgresBinDir());
        }
    }

    @Test
    void impossibleValuesAreRefusedNamingTheProperty() {
        BackupConfiguration c = new BackupConfiguration();
        c.setCompressionLevel(0);
        assertTrue(assertThrows(IllegalArgumentException.class, c::toSettings).getMessage().contains("compression-level"));
        c = new BackupConfiguration();
        c.setPartRawBytes(1000);
        assertTrue(assertThrows(IllegalArgumentException.class, c::toSettings).getMessage().contains("part-raw-bytes"));
        c = new BackupConfiguration();
        c.setMaxRateKbPerSecond(10L);
        assertTrue(assertThrows(IllegalArgumentException.class, c::toSettings).getMessage().contains("max-rate"));
        c = new BackupConfiguration();
        c.setWalPollInitial(Duration.ofMinutes(5));
        assertTrue(assertThrows(IllegalArgumentException.class, c::toSettings).getMessage().contains("wal-poll-max"));
    }
}
