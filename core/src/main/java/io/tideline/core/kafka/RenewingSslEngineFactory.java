package io.tideline.core.kafka;

import io.tideline.core.tls.IdentityFiles;
import io.tideline.core.tls.Pem;
import io.tideline.core.tls.TlsContexts;
import io.tideline.core.tls.TlsIdentity;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.security.auth.SslEngineFactory;

/**
 * The TLS of Tideline's Kafka clients ({@code ssl.engine.factory.class}): Kafka's own factory reads the key store
 * once, so a client that runs longer than its certificate lives (30 days, renewed at day 20) would be refused once
 * it expired. This one serves, at every new connection's handshake, the identity as the file
 * {@code ssl.keystore.location} holds it now (re-read at most every {@link #RECHECK}; key + certificate + CA
 * certificate, as {@code TlsCredentials} writes it, or where that file is absent the {@code tls.key}/{@code tls.crt}/
 * {@code ca.crt} beside it, as a Kubernetes or Strimzi secret delivers them: {@link IdentityFiles}), and trusts only the
 * CA(s) of {@code ssl.truststore.location}.
 * The broker's name is checked when {@code ssl.endpoint.identification.algorithm} says so (Tideline sets https).
 */
public final class RenewingSslEngineFactory implements SslEngineFactory {

    static final Duration RECHECK = Duration.ofMinutes(1);

    private SSLContext context;
    private Supplier<TlsIdentity> identity;

    @Override
    public void configure(Map<String, ?> configs) {
        Path keyStore = Path.of(String.valueOf(configs.get(SslConfigs.SSL_KEYSTORE_LOCATION_CONFIG)));
        Path trustStore = Path.of(String.valueOf(configs.get(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG)));
        identity = new FileIdentity(keyStore, RECHECK);
        // every certificate of the file: the CLI's --ca-file may bundle several deployments' CAs
        context = TlsContexts.withIdentity(identity, Pem.certificates(read(trustStore)));
    }

    @Override
    public SSLEngine createClientSslEngine(String peerHost, int peerPort, String endpointIdentification) {
        SSLEngine engine = context.createSSLEngine(peerHost, peerPort);
        engine.setUseClientMode(true);
        SSLParameters parameters = engine.getSSLParameters();
        if (endpointIdentification != null && !endpointIdentification.isBlank()) {
            parameters.setEndpointIdentificationAlgorithm(endpointIdentification);
        }
        engine.setSSLParameters(parameters);
        return engine;
    }

    @Override
    public SSLEngine createServerSslEngine(String peerHost, int peerPort) {
        throw new UnsupportedOperationException("Tideline's Kafka TLS factory is for clients; brokers use Kafka's own");
    }

    @Override
    public boolean shouldBeRebuilt(Map<String, Object> nextConfigs) {
        return false;
    }

    @Override
    public Set<String> reconfigurableConfigs() {
        return Set.of();
    }

    @Override
    public KeyStore keystore() {
        return identity.get().keyStore("tideline", new char[0]);
    }

    @Override
    public KeyStore truststore() {
        return identity.get().trustStore();
    }

    @Override
    public void close() {
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** The identity in a PEM file, re-read at most every {@code recheck}; a failed re-read keeps the last one. */
    static final class FileIdentity implements Supplier<TlsIdentity> {
        private final Path file;
        private final long recheckNanos;
        private TlsIdentity current;
        private long readAt;

        FileIdentity(Path file, Duration recheck) {
            this.file = file;
            this.recheckNanos = recheck.toNanos();
            this.current = IdentityFiles.parse(IdentityFiles.read(file));
            this.readAt = System.nanoTime();
        }

        @Override
        public synchronized TlsIdentity get() {
            if (System.nanoTime() - readAt >= recheckNanos) {
                try {
                    current = IdentityFiles.parse(IdentityFiles.read(file));
                } catch (RuntimeException e) {
                    // a renewal being written, or a file briefly missing: the last identity serves until the next look
                }
                readAt = System.nanoTime();
            }
            return current;
        }
    }
}
