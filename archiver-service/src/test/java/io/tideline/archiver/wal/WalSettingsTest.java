package io.tideline.archiver.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micronaut.context.ApplicationContext;
import io.tideline.archiver.ArchiverConfig;
import io.tideline.core.config.StartFailure;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WalSettingsTest {

    private static WalSettings withFlush(Duration flush) {
        WalSettings d = WalSettings.defaults();
        return new WalSettings(flush, d.statusInterval(), d.compressionLevel(), d.slotName(), d.retryInitialDelay(),
                d.retryMaxDelay(), d.idlePoll(), d.connectTimeout(), d.socketTimeout(), d.stopTimeout(), d.idleRelease(),
                d.heartbeatInterval());
    }

    private static ApplicationContext start(Map<String, Object> properties) {
        Map<String, Object> all = new HashMap<>(properties);
        all.put("tideline.kafka.topics.create-on-startup", false);
        // no listeners (their consumers would wait for a broker): settings are bound and checked at start all the same
        all.put(ArchiverConfig.ENABLED, false);
        return ApplicationContext.run(all);
    }

    @Test
    void propertiesBindAndUnsetOnesKeepTheDefaults() {
        try (ApplicationContext ctx = start(Map.of())) {
            assertEquals(WalSettings.defaults(), ctx.getBean(WalSettings.class));
            assertEquals(Duration.ofSeconds(60), WalSettings.defaults().flushInterval());
            assertEquals(Duration.ofMinutes(5), WalSettings.defaults().heartbeatInterval());
        }
        try (ApplicationContext ctx = start(Map.of("tideline.archiver.wal.flush-interval", "1500ms",
                "tideline.archiver.wal.slot-name", "other_slot", "tideline.archiver.wal.heartbeat-interval", "0s"))) {
            WalSettings s = ctx.getBean(WalSettings.class);
            assertEquals(Duration.ofMillis(1500), s.flushInterval());
            assertEquals("other_slot", s.slotName());
            assertEquals(Duration.ZERO, s.heartbeatInterval());
            assertEquals(WalSettings.defaults().statusInterval(), s.statusInterval());
        }
    }

    /** Issue 18: an idle stream wakes once a second by default, yet never so rarely that late-noticed WAL misses the promise. */
    @Test
    void anIdleStreamWakesOnceASecondButWithinHalfTheUploadAllowance() {
        assertEquals(Duration.ofSeconds(1), WalSettings.defaults().idlePollLimit());
        assertEquals(Duration.ofMillis(100), withFlush(Duration.ofSeconds(1)).idlePollLimit()); // allowance 200 ms
        assertEquals(Duration.ofMillis(500), withFlush(Duration.ofSeconds(5)).idlePollLimit()); // allowance 1 s
        assertEquals(Duration.ofSeconds(1), withFlush(Duration.ofMinutes(10)).idlePollLimit()); // allowance 2 s, the poll is less
    }

    @Test
    void aBadValueStopsTheStartNamingTheProperty() {
        RuntimeException e = assertThrows(RuntimeException.class,
                () -> start(Map.of("tideline.archiver.wal.flush-interval", "500ms")).close());
        assertEquals("tideline.archiver.wal.flush-interval must be at least 1s, not 500ms", StartFailure.reason(e));
    }

    @Test
    void theFlushIntervalIsAtLeastOneSecond() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> withFlush(Duration.ofMillis(999)));
        assertTrue(e.getMessage().contains("flush-interval"), e.getMessage());
        assertEquals(Duration.ofSeconds(1), withFlush(Duration.ofSeconds(1)).flushInterval());
    }

    @Test
    void theUploadStartsEarlyEnoughToKeepTheFlushPromise() {
        assertEquals(Duration.ofSeconds(58), withFlush(Duration.ofSeconds(60)).flushDeadline());
        assertEquals(Duration.ofMillis(1600), withFlush(Duration.ofSeconds(2)).flushDeadline());
        assertEquals(Duration.ofMillis(800), withFlush(Duration.ofSeconds(1)).flushDeadline());
    }

    @Test
    void slotNamesAreWhatTheServerAccepts() {
        WalSettings d = WalSettings.defaults();
        assertThrows(IllegalArgumentException.class, () -> new WalSettings(d.flushInterval(), d.statusInterval(), d.compressionLevel(),
                "x; DROP", d.retryInitialDelay(), d.retryMaxDelay(), d.idlePoll(), d.connectTimeout(), d.socketTimeout(), d.stopTimeout(), d.idleRelease(),
                d.heartbeatInterval()));
        assertEquals("tideline_archiver", d.slotName());
    }

    @Test
    void theServersSizesAreParsed() {
        assertEquals(16L * 1024 * 1024, ReplicationConnection.parseSize("16MB"));
        assertEquals(1024L * 1024 * 1024, ReplicationConnection.parseSize("1GB"));
        assertEquals(8192, ReplicationConnection.parseSize("8kB"));
        assertEquals(8192, ReplicationConnection.parseSize("8192"));
        assertThrows(IllegalArgumentException.class, () -> ReplicationConnection.parseSize("16 furlongs"));
    }

    @Test
    void backoffDoublesUpToItsMaximumAndResets() {
        Backoff b = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(5));
        assertEquals(Duration.ofSeconds(1), b.next());
        assertEquals(Duration.ofSeconds(2), b.next());
        assertEquals(Duration.ofSeconds(4), b.next());
        assertEquals(Duration.ofSeconds(5), b.next());
        assertEquals(Duration.ofSeconds(5), b.next());
        b.reset();
        assertEquals(Duration.ofSeconds(1), b.next());
    }
}
