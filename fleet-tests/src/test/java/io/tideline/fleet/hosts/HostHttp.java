package io.tideline.fleet.hosts;

import io.tideline.fleet.net.Host;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import javax.net.ssl.SSLContext;

/** The HTTP interface of a process on a host (a service host, an agent), as the test reaches it through the bridge. */
final class HostHttp {

    private final Host host;
    private final int port;
    private final HttpClient http;

    /** Over HTTPS, trusting {@code trust} (the fleet's CA); the JDK's client checks the host's address. */
    HostHttp(Host host, int port, SSLContext trust) {
        this.host = host;
        this.port = port;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).sslContext(trust).build();
    }

    /** The answer to a GET of {@code path}, or empty when nothing answers. */
    Optional<HttpResponse<String>> get(String path) {
        try {
            return Optional.of(http.send(HttpRequest.newBuilder(URI.create("https://" + host.address() + ":" + port + path))
                    .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString()));
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** Waits until {@code ready} holds; fails at once, with the log's tail, when {@code process} exited meanwhile. */
    void awaitReady(String what, HostProcess process, Duration timeout, BooleanSupplier ready) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!ready.getAsBoolean()) {
            if (!process.isAlive()) {
                throw new IllegalStateException(what + " on " + host + " exited during start; " + process.logTail());
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(what + " on " + host + " did not answer within " + timeout + "; " + process.logTail());
            }
            S3Host.sleep(500);
        }
    }
}
