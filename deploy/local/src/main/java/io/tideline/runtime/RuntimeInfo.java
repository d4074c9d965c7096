package io.tideline.runtime;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code <home>/runtime.json}: where a running embedded runtime can be reached. Written once every
 * piece answers, removed at a clean stop. A file whose process is gone (the runtime was killed) is
 * stale and means "not running".
 *
 * @param pid                  the JVM that runs the services (and owns the Kafka and S3 processes)
 * @param startedAt            UTC
 * @param kafkaBootstrapServers {@code 127.0.0.1:<port>}
 * @param s3Endpoint           {@code http://127.0.0.1:<port>}
 * @param api                  the services' HTTP server ({@code /health}, the Backups view)
 */
public record RuntimeInfo(long pid, Instant startedAt, String home, String kafkaBootstrapServers, URI s3Endpoint,
                          URI api, RuntimePorts ports) {

    public RuntimeInfo {
        if (pid <= 0) {
            throw new IllegalArgumentException("pid must be positive: " + pid);
        }
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(home, "home");
        Objects.requireNonNull(kafkaBootstrapServers, "kafkaBootstrapServers");
        Objects.requireNonNull(s3Endpoint, "s3Endpoint");
        Objects.requireNonNull(api, "api");
        Objects.requireNonNull(ports, "ports");
    }

    /** The file's content, whether or not its process still runs. */
    public static Optional<RuntimeInfo> read(RuntimeHome home) {
        return JsonFiles.read(home.runtimeFile(), RuntimeInfo.class);
    }

    /** The runtime of {@code home} if its process is alive. */
    public static Optional<RuntimeInfo> running(RuntimeHome home) {
        return read(home).filter(RuntimeInfo::isAlive);
    }

    @JsonIgnore
    public boolean isAlive() {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    void write(RuntimeHome home) {
        JsonFiles.write(home.runtimeFile(), this);
    }

    static void remove(RuntimeHome home) {
        try {
            Files.deleteIfExists(home.runtimeFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + home.runtimeFile(), e);
        }
    }

    public Path homePath() {
        return Path.of(home);
    }
}
