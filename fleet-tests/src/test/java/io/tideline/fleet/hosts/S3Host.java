package io.tideline.fleet.hosts;

import io.tideline.fleet.net.Host;
import io.tideline.processes.S3ServerProcess;
import io.tideline.processes.ServerClasspath;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The S3 server (the embedded S3Proxy launcher of {@code deploy/s3-server}) on the S3 host, bound to that
 * host's address, serving HTTPS only with the identity in {@code tlsIdentity} (issue 14.1: issued by the fleet's
 * Tideline CA for the host's address, re-read when renewed). The admin secret reaches it through the environment,
 * never the process list.
 */
public final class S3Host implements AutoCloseable {

    public static final int PORT = 9000;
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    private final Host host;
    private final Path data;
    private final Path identities;
    private final String adminAccessKey;
    private final String adminSecretKey;
    private final HostProcess process;

    public S3Host(Host host, Path dir, Path logs, Path tlsIdentity) {
        this.host = host;
        this.data = dir.resolve("data");
        this.identities = dir.resolve("identities");
        SecureRandom random = new SecureRandom();
        this.adminAccessKey = "admin-" + hex(random, 8);
        this.adminSecretKey = hex(random, 20);
        String classpath = ServerClasspath.load(S3ServerProcess.CLASSPATH_RESOURCE).asArgument();
        this.process = new HostProcess("s3 server", host, Java.command("256m", classpath, S3ServerProcess.MAIN_CLASS, List.of(),
                List.of("--data", data.toString(), "--identities", identities.toString(), "--port", Integer.toString(PORT),
                        "--host", host.address(), "--admin-access-key", adminAccessKey,
                        "--tls-identity", tlsIdentity.toString())),
                Map.of("TIDELINE_S3_ADMIN_SECRET_KEY", adminSecretKey), dir, logs.resolve(host.name() + "-s3.log"));
    }

    public void start() {
        try {
            Files.createDirectories(data);
            Files.createDirectories(identities);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the s3 host", e);
        }
        process.start();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!listening()) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the s3 server exited during start; " + process.logTail());
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the s3 server did not listen within " + START_TIMEOUT + "; " + process.logTail());
            }
            sleep(200);
        }
    }

    private boolean listening() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host.address(), PORT), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    public URI endpoint() {
        return URI.create("https://" + host.address() + ":" + PORT);
    }

    public String region() {
        return S3ServerProcess.REGION;
    }

    public String adminAccessKey() {
        return adminAccessKey;
    }

    public String adminSecretKey() {
        return adminSecretKey;
    }

    /** Read by the server at request time; the services' storage provisioners write tenant identities here. */
    public Path identitiesDir() {
        return identities;
    }

    @Override
    public void close() {
        process.stop(Duration.ofSeconds(10));
    }

    private static String hex(SecureRandom random, int bytes) {
        byte[] buffer = new byte[bytes];
        random.nextBytes(buffer);
        return HexFormat.of().formatHex(buffer);
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
