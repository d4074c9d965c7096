package io.tideline.cli;

import io.tideline.core.tls.Pem;
import io.tideline.runtime.RuntimeHome;
import io.tideline.runtime.RuntimeTls;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * What the CLI trusts: the CA certificate of {@code --ca-file} / {@code $TIDELINE_CA_FILE} when given (another
 * deployment's), else the Tideline CA of the home ({@code tls/ca.crt}, {@link RuntimeTls#caFile}) when the runtime
 * made one, else the JDK's trust store. Host names are always checked (the JDK's HTTP client and the S3 client do).
 * A certificate it does not trust is reported as one line naming the certificate, the host and the fix ({@link #untrusted}).
 */
final class CliTls {

    /** The option (and its variable) that names the CA to trust, for messages. */
    static final String CA_OPTION = "--ca-file";

    private CliTls() {
    }

    static Optional<Path> caFile(RuntimeHome home) {
        Path ca = RuntimeTls.caFile(home);
        return Files.isRegularFile(ca) ? Optional.of(ca) : Optional.empty();
    }

    static HttpClient httpClient(RuntimeHome home, Duration connectTimeout) {
        return httpClient(caFile(home), connectTimeout);
    }

    static HttpClient httpClient(Optional<Path> ca, Duration connectTimeout) {
        return httpClient(Trust.of(ca), connectTimeout);
    }

    static HttpClient httpClient(Trust trust, Duration connectTimeout) {
        return HttpClient.newBuilder().connectTimeout(connectTimeout).sslContext(trust.context()).build();
    }

    /**
     * The CA certificate in {@code file}, or a usage error naming {@code option} when it is missing or not one: checked
     * before anything is sent, so a typo is not reported as a server that is not trusted.
     */
    static List<X509Certificate> readCa(Path file, String option) {
        if (!Files.isRegularFile(file)) {
            throw CliException.usage(option + ": no such file " + file + " (the PEM certificate of the deployment's CA)");
        }
        List<X509Certificate> cas;
        try {
            cas = Pem.certificates(read(file));
        } catch (RuntimeException e) {
            throw CliException.usage(option + ": " + file + " holds no PEM certificate (" + ErrorReporting.oneLine(e.getMessage()) + ")");
        }
        if (cas.isEmpty()) {
            throw CliException.usage(option + ": " + file + " holds no PEM certificate");
        }
        return cas;
    }

    /**
     * The failure of a TLS handshake with {@code part} at {@code address} as one line, or empty when {@code failure} is
     * not one: which certificate the server presented (when the trust manager saw it), what was trusted, and the fix.
     */
    static Optional<CliException> untrusted(String part, Object address, Trust trust, Throwable failure) {
        SSLHandshakeException handshake = find(failure, SSLHandshakeException.class);
        if (handshake == null) {
            return Optional.empty();
        }
        String trusted = trust.caFile().map(f -> "the CA in " + f + " (" + String.join("; ",
                        trust.ca().orElseThrow().stream().map(CliTls::subject).toList()) + ")")
                .orElse("the JDK's public CAs (no " + CA_OPTION + " given, and the home has no Tideline CA)");
        String fix = ": give " + CA_OPTION + " FILE (or $" + DeploymentOptions.CA_FILE_ENV + ") with the CA certificate of "
                + "that deployment, and a host name its certificate names";
        Optional<Refusal> refusal = trust.lastRefusal();
        if (refusal.isPresent()) {
            X509Certificate presented = refusal.get().certificate();
            return Optional.of(CliException.failure(part + " at " + address + " presented the certificate of " + subject(presented)
                    + " issued by " + presented.getIssuerX500Principal().getName() + ", which " + trusted + " does not accept ("
                    + refusal.get().reason() + ")" + fix, failure));
        }
        return Optional.of(CliException.failure("the TLS handshake with " + part + " at " + address + " failed, trusting "
                + trusted + " (" + ErrorReporting.oneLine(handshake.getMessage()) + ")" + fix, failure));
    }

    /**
     * One TLS handshake with the first of {@code bootstrapServers}, trusting {@code caFile}'s CA and checking the name: a
     * broker certificate that CA does not accept becomes the one-line error of {@link #untrusted} before the Kafka client
     * (which would only retry until the answer timeout) starts. Anything else (no answer, the broker wanting the client's
     * certificate first) is left to the Kafka client to report.
     */
    static void checkBrokerTrusted(String bootstrapServers, Path caFile, Duration timeout) {
        String first = bootstrapServers.split(",")[0].strip();
        int colon = first.lastIndexOf(':');
        if (colon <= 0) {
            return;
        }
        String host = first.substring(0, colon).replace("[", "").replace("]", "");
        int port;
        try {
            port = Integer.parseInt(first.substring(colon + 1));
        } catch (NumberFormatException e) {
            return;
        }
        Trust trust = Trust.of(Optional.of(caFile));
        try (javax.net.ssl.SSLSocket socket = (javax.net.ssl.SSLSocket) trust.context().getSocketFactory().createSocket()) {
            socket.connect(new java.net.InetSocketAddress(host, port), (int) timeout.toMillis());
            socket.setSoTimeout((int) timeout.toMillis());
            javax.net.ssl.SSLParameters parameters = socket.getSSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            socket.setSSLParameters(parameters);
            socket.startHandshake();
        } catch (IOException e) {
            if (trust.lastRefusal().isPresent()) {
                throw untrusted("Kafka", first, trust, e).orElseThrow();
            }
        }
    }

    private static String subject(X509Certificate certificate) {
        return certificate.getSubjectX500Principal().getName();
    }

    private static <T extends Throwable> T find(Throwable failure, Class<T> type) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return null;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the CA certificate " + file, e);
        }
    }

    /** A certificate the trust manager refused, and why in words. */
    record Refusal(X509Certificate certificate, String reason) {
    }

    /**
     * A client context trusting {@code caFile}'s CA (else the JDK's), whose trust manager keeps the last certificate it
     * refused so the error can name it. The JDK's own checks run unchanged (path to the CA, then the host name).
     */
    record Trust(Optional<Path> caFile, Optional<List<X509Certificate>> ca, SSLContext context, AtomicReference<Refusal> refused) {

        static Trust of(Optional<Path> caFile) {
            Optional<List<X509Certificate>> ca = caFile.map(f -> readCa(f, CA_OPTION));
            AtomicReference<Refusal> refused = new AtomicReference<>();
            try {
                TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                if (ca.isPresent()) {
                    KeyStore store = KeyStore.getInstance("PKCS12");
                    store.load(null, null);
                    for (int i = 0; i < ca.get().size(); i++) {
                        store.setCertificateEntry("trusted-ca-" + i, ca.get().get(i));
                    }
                    factory.init(store);
                } else {
                    factory.init((KeyStore) null);
                }
                X509ExtendedTrustManager delegate = null;
                for (TrustManager m : factory.getTrustManagers()) {
                    if (m instanceof X509ExtendedTrustManager x) {
                        delegate = x;
                    }
                }
                if (delegate == null) {
                    throw new IllegalStateException("the JDK offers no X.509 trust manager");
                }
                SSLContext context = SSLContext.getInstance("TLS");
                context.init(null, new TrustManager[] {new Recording(delegate, refused)}, null);
                return new Trust(caFile, ca, context, refused);
            } catch (GeneralSecurityException | IOException e) {
                throw new IllegalStateException("cannot build the CLI's TLS context", e);
            }
        }

        Optional<Refusal> lastRefusal() {
            return Optional.ofNullable(refused.get());
        }
    }

    /** Delegates every check; remembers the server certificate of the last one that failed. */
    private static final class Recording extends X509ExtendedTrustManager {
        private final X509ExtendedTrustManager delegate;
        private final AtomicReference<Refusal> refused;

        Recording(X509ExtendedTrustManager delegate, AtomicReference<Refusal> refused) {
            this.delegate = delegate;
            this.refused = refused;
        }

        private CertificateException remember(X509Certificate[] chain, CertificateException e) {
            if (chain != null && chain.length > 0) {
                refused.set(new Refusal(chain[0], reason(e)));
            }
            return e;
        }

        /** The JDK's reason, short: "no trusted CA signed it" for the path-building failure, else its first line. */
        private static String reason(CertificateException e) {
            String message = String.valueOf(e.getMessage());
            if (message.contains("PKIX") || message.contains("certification path")) {
                return "no trusted CA signed it";
            }
            return ErrorReporting.oneLine(message);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            try {
                delegate.checkServerTrusted(chain, authType, engine);
            } catch (CertificateException e) {
                throw remember(chain, e);
            }
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            try {
                delegate.checkServerTrusted(chain, authType, socket);
            } catch (CertificateException e) {
                throw remember(chain, e);
            }
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            try {
                delegate.checkServerTrusted(chain, authType);
            } catch (CertificateException e) {
                throw remember(chain, e);
            }
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            delegate.checkClientTrusted(chain, authType, engine);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            delegate.checkClientTrusted(chain, authType, socket);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            delegate.checkClientTrusted(chain, authType);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return delegate.getAcceptedIssuers();
        }
    }
}
