package io.tideline.restore;

import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import io.tideline.core.ids.RestoreId;
import io.tideline.core.instance.WalSpool;
import io.tideline.core.tls.TlsSettings;
import io.tideline.restore.wal.WalController;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.slf4j.LoggerFactory;

/**
 * Where a recovering server fetches its WAL: {@code tideline.restore.wal-base-url}, or this service's own
 * HTTP server at the address it is bound to ({@code micronaut.server.host}; the loopback address when it
 * is bound to none or to all): the local provisioner runs servers on this host, so the address the
 * service listens on is one they reach.
 */
@Singleton
final class WalEndpoint {

    private final RestoreConfiguration config;
    private final TlsSettings tls;
    private final ApplicationContext context;

    WalEndpoint(RestoreConfiguration config, TlsSettings tls, ApplicationContext context) {
        this.config = config;
        this.tls = tls;
        this.context = context;
    }

    /**
     * The server's {@code restore_command}: curl writes the file to {@code %p} on 200 and exits non-zero on
     * 404 (end of archive) or 500 (failed restore) without leaving a file the server would use. With a
     * spool, a segment already waiting there is taken into place first by the spool's own command; only when that fails
     * (not spooled, or taken back) does the command ask the service, with the restore's WAL token from {@code tokenFile}.
     */
    String restoreCommand(RestoreId restoreId, Optional<WalSpool> spool, Path tokenFile) {
        // over HTTPS, curl trusts the Tideline CA and checks the endpoint's name (never -k)
        return WalController.restoreCommand(config.curl() + tls.curlTrust(), baseUrl(), restoreId, spool, tokenFile);
    }

    /**
     * Asks this service's endpoint once the way a recovering server does (the restore command, curl, TLS as
     * configured) for a timeline history of a restore that does not exist: a 404, which nothing waits for. Every
     * restore's server makes such requests on its critical path (history probes at the start and at promotion, a
     * segment not yet spooled); the first one after start-up paid for the HTTP server's cold request path. Never throws.
     */
    void warmUp() {
        Path out = null;
        Path tokenFile = null;
        try {
            awaitHttpServer(Duration.ofMinutes(5));
            out = Files.createTempFile("tideline-wal-warm-up", ".history");
            Files.delete(out); // curl -f leaves no file on a 404; one it would write goes here
            // a token of its own for a restore that does not exist: the answer (403 or 404) is all the same
            tokenFile = Files.createTempFile("tideline-wal-warm-up", ".token");
            Files.delete(tokenFile);
            io.tideline.restore.wal.WalToken.random(new java.security.SecureRandom())
                    .writeHeaderFile(tokenFile, Files.getOwner(tokenFile.getParent()));
            String command = restoreCommand(RestoreId.of(UUID.randomUUID().toString()), Optional.empty(), tokenFile)
                    .replace("%f", "00000002.history").replace("%p", out.toString());
            Process probe = new ProcessBuilder("sh", "-c", command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!probe.waitFor(30, TimeUnit.SECONDS)) {
                probe.destroyForcibly();
            }
            LoggerFactory.getLogger(WalEndpoint.class).info("WAL endpoint warmed up (one history probe through the restore command)");
        } catch (IOException | RuntimeException e) {
            LoggerFactory.getLogger(WalEndpoint.class).info("WAL endpoint not warmed up: {}", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (out != null) {
                out.toFile().delete();
            }
            if (tokenFile != null) {
                tokenFile.toFile().delete();
            }
        }
    }

    /** The server-started event can come before the server says it runs; a configured base URL needs no wait. */
    private void awaitHttpServer(Duration atMost) throws InterruptedException {
        long deadline = System.nanoTime() + atMost.toNanos();
        while (config.walBaseUrl().isEmpty() && context.findBean(EmbeddedServer.class).filter(EmbeddedServer::isRunning).isEmpty()
                && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
    }

    private String baseUrl() {
        return config.walBaseUrl().orElseGet(() -> {
            EmbeddedServer server = context.findBean(EmbeddedServer.class).filter(EmbeddedServer::isRunning)
                    .orElseThrow(() -> new RestoreFailure("the restore service's HTTP server is not running, so the new "
                            + "instance could not fetch WAL; start the service with its HTTP server"));
            // https when the server serves TLS (then it serves nothing else on that port)
            return server.getScheme() + "://" + urlHost(context.getProperty(BIND_ADDRESS, String.class)) + ":" + server.getPort();
        });
    }

    /** Micronaut's own setting of the HTTP server's bind address: declared there, read here. */
    static final String BIND_ADDRESS = "micronaut.server.host";

    /** The bound address as a URL's host: loopback for none or the wildcard, IPv6 in brackets. */
    static String urlHost(Optional<String> bindAddress) {
        String host = bindAddress.map(String::strip).filter(h -> !h.isEmpty()
                && !h.equals("0.0.0.0") && !h.equals("::") && !h.equals("[::]")).orElse("127.0.0.1");
        return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    }
}
