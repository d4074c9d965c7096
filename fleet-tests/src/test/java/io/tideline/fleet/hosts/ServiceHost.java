package io.tideline.fleet.hosts;

import io.tideline.fleet.net.Host;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * A service host: {@link ServiceHostMain} (the four services in one JVM) inside the host's namespace, its
 * HTTP server bound to the host's address ({@code micronaut.server.host}), its instances (those the
 * {@code local} platform makes for restores) under its own home directory.
 */
public final class ServiceHost implements AutoCloseable {

    public static final int PORT = 8080;
    private static final Duration START_TIMEOUT = Duration.ofSeconds(150);

    private final Host host;
    private final Path home;
    private final Path propertiesFile;
    private final HostProcess process;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

    /** @param properties what every service host shares (Kafka, S3, secrets, ...); this host's own are added */
    public ServiceHost(Host host, Path dir, Path logs, Map<String, Object> properties) {
        this.host = host;
        this.home = dir.resolve("home");
        this.propertiesFile = dir.resolve("service-host.properties");
        Properties all = new Properties();
        properties.forEach((k, v) -> all.setProperty(k, String.valueOf(v)));
        all.setProperty("micronaut.application.name", "tideline-" + host.name());
        all.setProperty("micronaut.server.host", host.address());
        all.setProperty("micronaut.server.port", Integer.toString(PORT));
        all.setProperty("tideline.fleet.home", home.toString());
        try {
            Files.createDirectories(home);
            Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.deleteIfExists(propertiesFile);
            Files.createFile(propertiesFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try (Writer out = Files.newBufferedWriter(propertiesFile, StandardCharsets.UTF_8)) {
                all.store(out, "service host " + host.name());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare service host " + host, e);
        }
        String classpath = System.getProperty("java.class.path");
        this.process = new HostProcess("services", host, Java.command("448m", classpath, ServiceHostMain.class.getName(),
                List.of("-Dlogback.configurationFile=" + logbackConfig()), List.of(propertiesFile.toString())),
                Map.of(), dir, logs.resolve(host.name() + "-services.log"));
    }

    private static String logbackConfig() {
        return Optional.ofNullable(ServiceHost.class.getClassLoader().getResource("logback-service-host.xml"))
                .map(u -> u.getPath()).orElse("");
    }

    public Host host() {
        return host;
    }

    /** Where the {@code local} platform keeps the instances this host made. */
    public Path home() {
        return home;
    }

    /** Starts it without waiting. */
    public void launch() {
        process.start();
    }

    /** Waits until its HTTP server answers {@code /health}. */
    public void awaitReady() {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!healthy()) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the services on " + host + " exited during start; " + process.logTail());
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the services on " + host + " did not answer within " + START_TIMEOUT + "; "
                        + process.logTail());
            }
            S3Host.sleep(500);
        }
    }

    private boolean healthy() {
        return get("/health").map(r -> r.statusCode() == 200).orElse(false);
    }

    /** The Prometheus text of its metrics, or empty when it does not answer. */
    public Optional<String> metrics() {
        return get("/prometheus").filter(r -> r.statusCode() == 200).map(HttpResponse::body);
    }

    private Optional<HttpResponse<String>> get(String path) {
        try {
            return Optional.of(http.send(HttpRequest.newBuilder(URI.create("http://" + host.address() + ":" + PORT + path))
                    .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString()));
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** Forgets the process after every process of the host was killed (the network killed them). */
    public void killed() {
        process.kill();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public void close() {
        process.stop(Duration.ofSeconds(15));
    }
}
