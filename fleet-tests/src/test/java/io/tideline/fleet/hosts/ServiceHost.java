package io.tideline.fleet.hosts;

import io.tideline.fleet.net.Host;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
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
    private final HostHttp http;

    /** @param properties what every service host shares (Kafka, S3, secrets, ...); this host's own are added */
    public ServiceHost(Host host, Path dir, Path logs, Map<String, Object> properties, FleetTls tls) {
        this.host = host;
        this.home = dir.resolve("home");
        this.http = new HostHttp(host, PORT, tls.client());
        this.propertiesFile = dir.resolve("service-host.properties");
        Properties all = new Properties();
        properties.forEach((k, v) -> all.setProperty(k, String.valueOf(v)));
        all.setProperty("micronaut.application.name", "tideline-" + host.name());
        all.setProperty("micronaut.server.host", host.address());
        all.setProperty("micronaut.server.port", Integer.toString(PORT));
        // HTTPS only (issue 14.1), its certificate for this host's address
        all.setProperty("micronaut.server.ssl.port", Integer.toString(PORT));
        tls.server("https-" + host.name(), host).forEach(all::setProperty);
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
                List.of(Java.serviceLogback()), List.of(propertiesFile.toString())),
                Map.of(), dir, logs.resolve(host.name() + "-services.log"));
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
        http.awaitReady("the services", process, START_TIMEOUT, () -> http.get("/health").map(r -> r.statusCode() == 200).orElse(false));
    }

    /** The Prometheus text of its metrics, or empty when it does not answer. */
    public Optional<String> metrics() {
        return http.get("/prometheus").filter(r -> r.statusCode() == 200).map(HttpResponse::body);
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
