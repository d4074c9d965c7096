package io.tideline.archiver.basebackup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micronaut.context.ApplicationContext;
import io.tideline.core.config.StartFailure;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class BackupSettingsTest {

    private static ApplicationContext start(Map<String, Object> properties) {
        Map<String, Object> all = new HashMap<>(properties);
        all.put("tideline.kafka.topics.create-on-startup", false);
        return ApplicationContext.builder().properties(all).start();
    }

    /** {@link BackupSettings#defaults()} with one component replaced, as a property would. */
    private static BackupSettings with(int compressionLevel, long partRawBytes, OptionalLong maxRate, Duration walPollInitial) {
        BackupSettings d = BackupSettings.defaults();
        return new BackupSettings(d.postgresBinDir(), compressionLevel, d.compressionWorkers(), partRawBytes, d.partsInFlight(), maxRate,
                d.fastCheckpoint(), d.walWaitTimeout(), walPollInitial, d.walPollMax(), d.progressInterval(),
                d.registryCatchUpTimeout(), d.unknownInstanceGrace(), d.connectTimeout());
    }

    @Test
    void propertiesBindAndUnsetOnesKeepTheDefaults() {
        try (ApplicationContext ctx = start(Map.of(BackupSettings.PREFIX + ".compression-level", 3,
                BackupSettings.PREFIX + ".part-raw-bytes", "128MB",
                BackupSettings.PREFIX + ".parts-in-flight", 6,
                BackupSettings.PREFIX + ".max-rate-kb-per-second", 8192,
                BackupSettings.PREFIX + ".wal-wait-timeout", "20m"))) {
            BackupSettings s = ctx.getBean(BackupSettings.class);
            assertEquals(3, s.compressionLevel());
            assertEquals(128L * 1024 * 1024, s.partRawBytes());
            assertEquals(6, s.partsInFlight());
            assertEquals(OptionalLong.of(8192), s.maxRateKbPerSecond());
            assertEquals(Duration.ofMinutes(20), s.walWaitTimeout());
            assertEquals(Duration.ofSeconds(30), s.walPollMax());
            assertEquals(Path.of("/usr/lib/postgresql/15/bin"), s.postgresBinDir());
        }
    }

    @Test
    void anEmptyConfigurationBindsTheDefaultsAndBytesBindAsNumbersToo() {
        try (ApplicationContext ctx = start(Map.of())) {
            assertEquals(BackupSettings.defaults(), ctx.getBean(BackupSettings.class));
            assertEquals(64L * 1024 * 1024, BackupSettings.defaults().partRawBytes());
            assertEquals(4, BackupSettings.defaults().partsInFlight());
            assertEquals(Runtime.getRuntime().availableProcessors(), BackupSettings.defaults().compressionThreads());
            assertEquals(1, BackupSettings.defaults().compressionLevel());
        }
        try (ApplicationContext ctx = start(Map.of(BackupSettings.PREFIX + ".part-raw-bytes", 8L * 1024 * 1024))) {
            assertEquals(8L * 1024 * 1024, ctx.getBean(BackupSettings.class).partRawBytes());
        }
    }

    @Test
    void impossibleValuesAreRefusedNamingTheProperty() {
        OptionalLong none = OptionalLong.empty();
        long part = BackupSettings.defaults().partRawBytes();
        Duration poll = BackupSettings.defaults().walPollInitial();
        assertTrue(assertThrows(IllegalArgumentException.class, () -> with(0, part, none, poll)).getMessage().contains("compression-level"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> with(1, 1000, none, poll)).getMessage().contains("part-raw-bytes"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> with(1, 2L << 30, none, poll)).getMessage().contains("part-raw-bytes"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> with(1, part, OptionalLong.of(10), poll)).getMessage().contains("max-rate"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> with(1, part, none, Duration.ofMinutes(5))).getMessage().contains("wal-poll-max"));
    }

    @Test
    void aBadValueStopsTheStartNamingTheProperty() {
        RuntimeException e = assertThrows(RuntimeException.class,
                () -> start(Map.of(BackupSettings.PREFIX + ".wal-poll-initial", "5m")).close());
        assertEquals("tideline.archiver.backup.wal-poll-max must be at least tideline.archiver.backup.wal-poll-initial (5m), not 30s",
                StartFailure.reason(e));
    }
}
