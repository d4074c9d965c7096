package io.tideline.core.tls;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import io.tideline.core.config.Require;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SSLContext;

/**
 * {@code tideline.tls.*}: the HTTPS of this process's HTTP server and what its HTTP clients trust.
 *
 * @param identity the name of the TLS identity in the secret store ({@code tls/<name>/}) the HTTP server serves
 *                 ({@link IdentityCertificateProvider}; also set {@code micronaut.server.ssl.enabled} and
 *                 {@code micronaut.server.ssl.key-name=tideline}); empty: no identity from the secret store
 * @param caFile   a PEM file of the CA that signed the certificates of the Tideline servers this process calls
 *                 (agents, its own WAL endpoint for recovering servers' curl): trusted instead of the JDK's
 *                 public CAs; empty: the JDK's trust store
 * @param recheck  how often the served identity is re-read from the secret store: a renewed certificate is
 *                 served from the next handshake after it, without a restart
 */
@ConfigurationProperties(TlsSettings.PREFIX)
public record TlsSettings(Optional<String> identity,
                          Optional<Path> caFile,
                          @Bindable(defaultValue = DEFAULT_RECHECK) Duration recheck) {

    public static final String PREFIX = "tideline.tls";
    public static final String IDENTITY = PREFIX + ".identity";
    public static final String CA_FILE = PREFIX + ".ca-file";
    static final String DEFAULT_RECHECK = "30s";

    public TlsSettings {
        Objects.requireNonNull(identity, "identity");
        Objects.requireNonNull(caFile, "caFile");
        // quoted into a recovering server's restore_command (curl --cacert "<file>")
        caFile.ifPresent(f -> Require.that(!f.toString().contains("'") && !f.toString().contains("\""), CA_FILE,
                "a path without quotes", f));
        Require.positive(recheck, PREFIX + ".recheck");
    }

    /** A client context trusting only {@link #caFile}; empty when none is configured (the JDK's default then). */
    public Optional<SSLContext> clientContext() {
        return caFile.map(f -> TlsContexts.client(Pem.certificate(read(f))));
    }

    /** {@code --cacert "<caFile>"} for curl, with a leading space; empty text without a CA file. */
    public String curlTrust() {
        return caFile.map(f -> " --cacert \"" + f.toAbsolutePath() + "\"").orElse("");
    }

    static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the CA certificate " + file, e);
        }
    }
}
