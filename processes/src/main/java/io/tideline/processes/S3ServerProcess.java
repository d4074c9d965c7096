package io.tideline.processes;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The embedded S3 server ({@code deploy/s3-server}: S3Proxy on the filesystem with per-bucket
 * identities) in its own JVM, on the classpath that module pins. Plain Java: the JUnit fixtures
 * and the embedded runtime share it. Stopping and starting again keeps the port, the keys and
 * the data (tests stop it "for a while" to simulate an outage).
 *
 * <p>Identities are files {@code <identities>/<accessKey>.properties} with {@code secretKey=} and
 * {@code bucket=}; the server reads them at request time, so they need no restart.
 */
public final class S3ServerProcess implements AutoCloseable {

    public static final String CLASSPATH_RESOURCE = "tideline/s3-server.classpath";
    public static final String MAIN_CLASS = "io.tideline.s3server.S3ServerMain";
    public static final String REGION = "us-east-1";
    public static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(60);
    public static final String DEFAULT_MAX_HEAP = "256m";
    private static final String ADMIN_SECRET_ENV = "TIDELINE_S3_ADMIN_SECRET_KEY";
    private static final Duration STOP_GRACE = Duration.ofSeconds(10);

    /**
     * @param data       the filesystem store: one directory per bucket
     * @param identities one properties file per tenant identity
     * @param logFile    the server's output
     * @param port       0 = pick a free one at the first start, then keep it
     * @param tlsIdentity the server's TLS identity ({@code identity.pem} of the secret store: key, certificate,
     *                    CA certificate), re-read when renewed: HTTPS only; {@code null}: plain HTTP
     */
    public record Settings(Path data, Path identities, Path logFile, int port, String adminAccessKey,
                           String adminSecretKey, Duration startTimeout, String maxHeap, Path tlsIdentity) {

        /** Plain HTTP. */
        public Settings(Path data, Path identities, Path logFile, int port, String adminAccessKey,
                        String adminSecretKey, Duration startTimeout, String maxHeap) {
            this(data, identities, logFile, port, adminAccessKey, adminSecretKey, startTimeout, maxHeap, null);
        }

        /** These settings serving HTTPS with the identity in {@code identityFile}. */
        public Settings withTls(Path identityFile) {
            return new Settings(data, identities, logFile, port, adminAccessKey, adminSecretKey, startTimeout, maxHeap,
                    identityFile);
        }

        public Settings {
            Objects.requireNonNull(data, "data");
            Objects.requireNonNull(identities, "identities");
            Objects.requireNonNull(logFile, "logFile");
            Objects.requireNonNull(adminAccessKey, "adminAccessKey");
            Objects.requireNonNull(adminSecretKey, "adminSecretKey");
            Objects.requireNonNull(startTimeout, "startTimeout");
            Objects.requireNonNull(maxHeap, "maxHeap");
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port out of range: " + port);
            }
            if (!adminAccessKey.matches("[A-Za-z0-9][A-Za-z0-9_-]{2,127}")) {
                throw new IllegalArgumentException("admin access key must be 3-128 of [A-Za-z0-9_-]: " + adminAccessKey);
            }
            if (adminSecretKey.length() < 8) {
                throw new IllegalArgumentException("admin secret key must have at least 8 characters");
            }
            if (startTimeout.isNegative() || startTimeout.isZero()) {
                throw new IllegalArgumentException("startTimeout must be positive: " + startTimeout);
            }
        }

        /** A free port, fresh random admin keys, the log beside the data directory. */
        public static Settings of(Path data, Path identities) {
            SecureRandom random = new SecureRandom();
            return new Settings(data, identities, data.toAbsolutePath().resolveSibling("s3-server.log"), 0,
                    "admin-" + randomHex(random, 8), randomHex(random, 20), DEFAULT_START_TIMEOUT, DEFAULT_MAX_HEAP);
        }

        private static String randomHex(SecureRandom random, int bytes) {
            byte[] buffer = new byte[bytes];
            random.nextBytes(buffer);
            return HexFormat.of().formatHex(buffer);
        }

        @Override
        public String toString() {
            return "Settings[data=" + data + ", identities=" + identities + ", port=" + port
                    + ", adminAccessKey=" + adminAccessKey + ", adminSecretKey=***, tlsIdentity=" + tlsIdentity + "]";
        }
    }

    private final Settings settings;
    private final ServerClasspath classpath;
    private int port;
    private WatchedProcess process;

    public S3ServerProcess(Settings settings) {
        this.settings = settings;
        this.classpath = ServerClasspath.load(CLASSPATH_RESOURCE);
        this.port = settings.port();
    }

    /** Starts a server with {@link Settings#of} and waits until it serves. */
    public static S3ServerProcess startIn(Path data, Path identities) {
        S3ServerProcess server = new S3ServerProcess(Settings.of(data, identities));
        server.start();
        return server;
    }

    /**
     * Starts the server and waits until it accepts connections. No-op when running.
     *
     * @throws IllegalStateException with the tail of its log if it does not come up in time
     */
    public synchronized void start() {
        if (isRunning()) {
            return;
        }
        try {
            Files.createDirectories(settings.data());
            Files.createDirectories(settings.identities());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the S3 server's directories", e);
        }
        if (port == 0) {
            port = FreePort.pick();
        }
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + settings.maxHeap(),
                "-XX:+UseSerialGC",
                "-Djava.awt.headless=true",
                "-cp", classpath.asArgument(),
                MAIN_CLASS,
                "--data", settings.data().toAbsolutePath().toString(),
                "--identities", settings.identities().toAbsolutePath().toString(),
                "--port", Integer.toString(port),
                "--admin-access-key", settings.adminAccessKey()));
        if (settings.tlsIdentity() != null) {
            command.addAll(List.of("--tls-identity", settings.tlsIdentity().toAbsolutePath().toString()));
        }
        process = WatchedProcess.start("s3 server", command, Map.of(ADMIN_SECRET_ENV, settings.adminSecretKey()),
                settings.data().toAbsolutePath().getParent(), settings.logFile());
        try {
            awaitListening();
        } catch (RuntimeException e) {
            process.stop(Duration.ofSeconds(2));
            process = null;
            throw e;
        }
    }

    private void awaitListening() {
        long deadline = System.nanoTime() + settings.startTimeout().toNanos();
        while (!FreePort.isListening(port)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("s3 server exited during start; " + process.logTail(40));
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("s3 server did not listen on port " + port + " within "
                        + settings.startTimeout() + "; " + process.logTail(40));
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the s3 server", e);
            }
        }
    }

    /** SIGTERM, then SIGKILL after a grace period; data, port and keys are kept. Idempotent. */
    public synchronized void stop() {
        if (process != null) {
            process.stop(STOP_GRACE);
            process = null;
        }
    }

    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** {@code http://127.0.0.1:<port>} ({@code https} with TLS); valid once started, the same across restarts. */
    public synchronized URI endpoint() {
        if (port == 0) {
            throw new IllegalStateException("the s3 server has not been started yet");
        }
        return URI.create((settings.tlsIdentity() == null ? "http" : "https") + "://127.0.0.1:" + port);
    }

    /** The running server's process; empty when stopped. */
    public synchronized java.util.Optional<ProcessHandle> processHandle() {
        return process == null ? java.util.Optional.empty() : process.server();
    }

    public String region() {
        return REGION;
    }

    public String adminAccessKey() {
        return settings.adminAccessKey();
    }

    public String adminSecretKey() {
        return settings.adminSecretKey();
    }

    public Path dataDir() {
        return settings.data();
    }

    public Path identitiesDir() {
        return settings.identities();
    }

    public Path logFile() {
        return settings.logFile();
    }

    @Override
    public void close() {
        stop();
    }

    @Override
    public String toString() {
        return "s3 server at " + (port == 0 ? "(not started)" : endpoint()) + " on " + settings.data();
    }
}
