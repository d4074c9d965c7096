package io.tideline.testkit;

import io.tideline.core.tls.CertificateRequest;
import io.tideline.core.tls.Pem;
import io.tideline.core.tls.TlsContexts;
import io.tideline.core.tls.TlsCredentials;
import io.tideline.platform.local.secrets.DirectorySecretStore;
import io.tideline.processes.S3ServerProcess;
import java.time.Clock;
import java.util.Optional;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.extension.ExtensionContext;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The real S3 server (S3Proxy on the filesystem, in its own JVM) shared by every test of this
 * JVM (see {@link S3Extension}). Data under {@code <test home>/s3/data}, identities under
 * {@code <test home>/s3/identities}. Tests must not assume an empty store: use unique buckets.
 */
public final class S3Server implements ExtensionContext.Store.CloseableResource, AutoCloseable {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(S3Server.class);

    private final S3ServerProcess process;
    private final Optional<Path> caFile;
    private final S3Client adminClient;

    private S3Server(S3ServerProcess process, Optional<Path> caFile) {
        this.process = process;
        this.caFile = caFile;
        this.adminClient = client(process.adminAccessKey(), process.adminSecretKey());
    }

    /**
     * A server of the caller's own (it closes it) on HTTPS only, data under {@code dir}: its identity {@code s3}
     * issued by the Tideline CA of {@code secrets} for {@code request}'s names, re-read when renewed.
     */
    public static S3Server startWithTls(Path dir, DirectorySecretStore secrets, CertificateRequest request) {
        new TlsCredentials(secrets, Clock.systemUTC()).ensure(TLS_IDENTITY, request);
        S3ServerProcess server = new S3ServerProcess(S3ServerProcess.Settings.of(dir.resolve("data"), dir.resolve("identities"))
                .withTls(secrets.fileOf(TlsCredentials.identityRef(TLS_IDENTITY))));
        server.start();
        return new S3Server(server, Optional.of(secrets.fileOf(TlsCredentials.caRef("ca"))));
    }

    /** The name of the S3 server's TLS identity in the secret store. */
    public static final String TLS_IDENTITY = "s3";

    /** The CA certificate an HTTPS server's clients trust; empty for plain HTTP. */
    public Optional<Path> caFile() {
        return caFile;
    }

    /** The JVM-wide server, started on first use. */
    public static S3Server of(ExtensionContext context) {
        TestHome home = TestHome.of(context);
        return context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent(S3Server.class, k -> {
            S3ServerProcess server = new S3ServerProcess(S3ServerProcess.Settings.of(
                    home.dir("s3/data"), home.dir("s3/identities")));
            server.start();
            return new S3Server(server, Optional.empty());
        }, S3Server.class);
    }

    static boolean isStarted(ExtensionContext context) {
        return context.getRoot().getStore(NAMESPACE).get(S3Server.class, S3Server.class) != null;
    }

    /** {@code http://127.0.0.1:<port>} ({@code https} for {@link #startWithTls}); path-style addressing only. */
    public URI endpoint() {
        return process.endpoint();
    }

    public String region() {
        return process.region();
    }

    public String adminAccessKey() {
        return process.adminAccessKey();
    }

    public String adminSecretKey() {
        return process.adminSecretKey();
    }

    /** Where tenant identities live ({@code <accessKey>.properties}: {@code secretKey=}, {@code bucket=}). */
    public Path identitiesDir() {
        return process.identitiesDir();
    }

    /** A client with the admin identity (reaches every bucket). Shared: do not close it. */
    public S3Client adminClient() {
        return adminClient;
    }

    /** A new client for any identity, configured like the services' (path-style, this endpoint and region); the caller closes it. */
    public S3Client client(String accessKey, String secretKey) {
        ApacheHttpClient.Builder http = ApacheHttpClient.builder();
        caFile.ifPresent(ca -> {
            X509TrustManager trust = TlsContexts.trustManager(Pem.certificate(read(ca)));
            http.tlsTrustManagersProvider(() -> new TrustManager[] {trust});
        });
        return S3Client.builder()
                .endpointOverride(endpoint())
                .region(Region.of(region()))
                .forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secretKey)))
                .httpClientBuilder(http)
                .build();
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /**
     * Writes a tenant identity the way the storage provisioner does (atomic rename, mode 0600).
     * The server sees it on the next request.
     */
    public void writeIdentity(String accessKey, String secretKey, String bucket) {
        Path target = identitiesDir().resolve(accessKey + ".properties");
        Path temp = identitiesDir().resolve("." + accessKey + ".properties.tmp");
        try {
            Files.deleteIfExists(temp);
            Files.createFile(temp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(temp, "secretKey=" + secretKey + "\nbucket=" + bucket + "\n", StandardCharsets.UTF_8);
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write identity " + accessKey, e);
        }
    }

    /** Stops the server (data, port and keys kept) to test an outage; {@link S3Extension} restarts it after the test. */
    public void stop() {
        process.stop();
    }

    /** Starts it again on the same port and data. */
    public void start() {
        process.start();
    }

    public boolean isRunning() {
        return process.isRunning();
    }

    /** The underlying process, e.g. for its log file. */
    public S3ServerProcess process() {
        return process;
    }

    @Override
    public void close() {
        try {
            adminClient.close();
        } finally {
            process.close();
        }
    }
}
