package io.tideline.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tideline.core.tls.TlsCredentials;
import io.tideline.core.tls.TlsIdentity;
import io.tideline.platform.local.secrets.DirectorySecretStore;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The runtime's one renewal task: nothing before an identity is due, a new certificate and the hooks after. */
class TlsRenewalTest {

    /** A clock a test moves. */
    private static final class MovableClock extends Clock {
        private Instant now;

        MovableClock(Instant now) {
            this.now = now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @Test
    void renewsADueIdentityAndRunsItsHooks(@TempDir Path secrets) {
        MovableClock clock = new MovableClock(Instant.parse("2026-12-01T00:00:00Z"));
        TlsRenewal renewal = new TlsRenewal(new TlsCredentials(new DirectorySecretStore(secrets), clock));
        TlsIdentity first = renewal.ensure(RuntimeTls.S3, RuntimeTls.loopbackServer(RuntimeTls.S3));
        List<TlsIdentity> hooked = new ArrayList<>();
        renewal.onRenewal(RuntimeTls.S3, hooked::add);

        clock.now = clock.now.plus(Duration.ofDays(19)); // more than a third of 30 days left: not due
        renewal.renewDue();
        assertTrue(hooked.isEmpty(), "nothing renewed before it is due");
        assertEquals(first.certificate(), renewal.credentials().find(RuntimeTls.S3).orElseThrow().certificate());

        clock.now = clock.now.plus(Duration.ofDays(2)); // day 21: due
        renewal.renewDue();
        assertEquals(1, hooked.size(), "the hook ran once, with the new identity");
        TlsIdentity renewed = renewal.credentials().find(RuntimeTls.S3).orElseThrow();
        assertNotEquals(first.certificate().getSerialNumber(), renewed.certificate().getSerialNumber());
        assertEquals(renewed.certificate(), hooked.get(0).certificate());
        assertTrue(renewed.notAfter().isAfter(first.notAfter()), "valid 30 days from the renewal");
        assertEquals(List.of(RuntimeTls.S3), renewal.names());
    }
}
