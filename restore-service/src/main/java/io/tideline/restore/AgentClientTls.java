package io.tideline.restore;

import io.tideline.core.secrets.SecretStore;
import io.tideline.core.tls.Pem;
import io.tideline.core.tls.TlsContexts;
import io.tideline.core.tls.TlsCredentials;
import io.tideline.core.tls.TlsIdentity;
import io.tideline.core.tls.TlsSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Optional;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TLS of the coordinator's calls to agents: it presents its own identity from the secret store (issue 14.1:
 * agents over HTTPS let only their allowed principals at their API), re-read for each new connection's handshake
 * (at most every {@code tideline.tls.recheck}), so a renewed certificate is presented without a restart; it trusts
 * the CA of {@code tideline.tls.ca-file}, else the one that issued its identity.
 */
final class AgentClientTls {

    private static final Logger LOG = LoggerFactory.getLogger(AgentClientTls.class);

    private AgentClientTls() {
    }

    /** Empty: the JDK's defaults (no CA file and no identity: agents on plain HTTP, or trusted publicly). */
    static Optional<SSLContext> context(String identity, TlsSettings tls, SecretStore secrets, Clock clock) {
        TlsCredentials credentials = new TlsCredentials(secrets, clock);
        Optional<TlsIdentity> present = credentials.find(identity);
        if (present.isEmpty()) {
            LOG.warn("no TLS identity {} in the secret store: calls to restore agents carry no client certificate, and "
                    + "agents served over HTTPS refuse them (issue it, e.g. as the restore service's Kafka identity, and "
                    + "restart)", identity);
            return tls.clientContext();
        }
        Supplier<TlsIdentity> live = credentials.live(identity, tls.recheck());
        X509Certificate ca = tls.caFile().map(AgentClientTls::read).orElseGet(() -> present.get().caCertificate());
        return Optional.of(TlsContexts.withIdentity(live, ca));
    }

    private static X509Certificate read(java.nio.file.Path file) {
        try {
            return Pem.certificate(Files.readString(file, StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the CA certificate " + file, e);
        }
    }
}
