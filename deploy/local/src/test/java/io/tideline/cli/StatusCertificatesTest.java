package io.tideline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tideline.core.tls.CertificateRequest;
import io.tideline.core.tls.TlsCredentials;
import io.tideline.core.tls.TlsIdentity;
import io.tideline.platform.local.secrets.DirectorySecretStore;
import io.tideline.runtime.RuntimeHome;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tideline status}: each certificate's expiry, and a warning when one is due for renewal or expired. */
class StatusCertificatesTest {

    @Test
    void showsEachExpiryAndWarnsWhenDueOrExpired(@TempDir Path root) {
        RuntimeHome home = new RuntimeHome(root);
        Instant issuedAt = Instant.parse("2026-12-01T10:00:00Z");
        TlsCredentials credentials = new TlsCredentials(new DirectorySecretStore(home.secretsDir()), Clock.fixed(issuedAt, ZoneOffset.UTC));
        TlsIdentity https = credentials.ensure("https-runtime", CertificateRequest.server("https-runtime", List.of("localhost"), List.of("127.0.0.1")));

        List<StatusReport.Certificate> fresh = StatusReport.certificates(home, Clock.fixed(issuedAt.plus(Duration.ofDays(1)), ZoneOffset.UTC));
        assertEquals(List.of("ca", "https-runtime"), fresh.stream().map(StatusReport.Certificate::name).toList());
        assertEquals(https.notAfter().toString(), fresh.get(1).expires(), "UTC ISO-8601 to the second");
        assertTrue(fresh.get(1).expires().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ"), fresh.get(1).expires());
        assertTrue(fresh.stream().allMatch(c -> c.state().equals("ok")), fresh.toString());
        assertTrue(!print(fresh).contains("warning"), print(fresh));

        List<StatusReport.Certificate> due = StatusReport.certificates(home, Clock.fixed(issuedAt.plus(Duration.ofDays(25)), ZoneOffset.UTC));
        assertEquals("renewal due", due.get(1).state());
        assertTrue(print(due).contains("warning: certificate https-runtime is due for renewal (expires " + https.notAfter() + ")"), print(due));

        List<StatusReport.Certificate> expired = StatusReport.certificates(home, Clock.fixed(issuedAt.plus(Duration.ofDays(31)), ZoneOffset.UTC));
        assertEquals("expired", expired.get(1).state());
        assertEquals("ok", expired.get(0).state(), "the CA lives ten years");
        assertTrue(print(expired).contains("warning: certificate https-runtime expired at " + https.notAfter()), print(expired));
    }

    private static String print(List<StatusReport.Certificate> certificates) {
        StringWriter text = new StringWriter();
        StatusCommand.print(new PrintWriter(text), new StatusReport("/home", false, null, null, List.of(), List.of(), null, certificates));
        return text.toString();
    }
}
