package io.tideline.cli;

import io.tideline.core.tls.Pem;
import io.tideline.core.tls.TlsContexts;
import io.tideline.runtime.RuntimeHome;
import io.tideline.runtime.RuntimeTls;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * What the CLI trusts: the Tideline CA of the home ({@code tls/ca.crt}, {@link RuntimeTls#caFile}) when the runtime made one,
 * else the JDK's trust store. Host names are always checked (the JDK's HTTP client and the S3 client do).
 */
final class CliTls {

    private CliTls() {
    }

    static Optional<Path> caFile(RuntimeHome home) {
        Path ca = RuntimeTls.caFile(home);
        return Files.isRegularFile(ca) ? Optional.of(ca) : Optional.empty();
    }

    static HttpClient httpClient(RuntimeHome home, Duration connectTimeout) {
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(connectTimeout);
        caFile(home).ifPresent(ca -> builder.sslContext(TlsContexts.client(Pem.certificate(read(ca)))));
        return builder.build();
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the Tideline CA certificate " + file, e);
        }
    }
}
