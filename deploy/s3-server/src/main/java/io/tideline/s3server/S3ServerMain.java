package io.tideline.s3server;

import java.net.URI;
import java.nio.file.Files;
import java.util.concurrent.CountDownLatch;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;

/**
 * The embedded S3 server: S3Proxy on a filesystem store, one bucket per directory under
 * {@code --data}, with per-bucket identities from {@code --identities} (see {@link TenantLocator}).
 * Listens on {@code --host} (127.0.0.1 unless told), path-style requests. Prints {@value #READY} and the endpoint when it
 * serves; stops on SIGTERM.
 */
public final class S3ServerMain {

    public static final String READY = "tideline-s3-server ready at ";
    private static final String LOG_CONFIG = "io/tideline/s3server/logback.xml";

    private S3ServerMain() {
    }

    public static void main(String[] args) throws Exception {
        // Before the first logger is made: the quiet config, unless the caller chose another.
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", LOG_CONFIG);
        }
        ServerArguments arguments;
        try {
            arguments = ServerArguments.parse(args, System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println("tideline-s3-server: " + e.getMessage());
            System.err.println("usage: --data DIR --identities DIR --port N --admin-access-key K --admin-secret-key S [--host ADDRESS]"
                    + " [--tls-identity FILE]");
            System.exit(2);
            return;
        }
        Files.createDirectories(arguments.data());
        Files.createDirectories(arguments.identities());

        BlobStore store = new FilesystemNio2BlobStore(arguments.data().toAbsolutePath().toString());
        S3Proxy.Builder builder = S3Proxy.builder()
                .blobStore(store)
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, arguments.adminAccessKey(), arguments.adminSecretKey());
        URI endpoint = URI.create(arguments.scheme() + "://" + arguments.host() + ":" + arguments.port());
        if (arguments.tlsIdentity() == null) {
            builder.endpoint(endpoint);
        } else {
            // HTTPS only (no plain endpoint beside it): Jetty takes our SSL context, whose key manager re-reads the
            // identity file when it was renewed, so no restart and no key store file of its own
            builder.secureEndpoint(endpoint).sslContext(new IdentityFileKeyManager(arguments.tlsIdentity()).context());
        }
        S3Proxy proxy = builder.build();
        proxy.setBlobStoreLocator(new TenantLocator(arguments.adminAccessKey(), arguments.adminSecretKey(), store,
                new IdentityDirectory(arguments.identities())));

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                proxy.stop();
            } catch (Exception e) {
                System.err.println("tideline-s3-server: error while stopping: " + e);
            } finally {
                stopped.countDown();
            }
        }, "s3-server-stop"));
        proxy.start();
        int port = arguments.tlsIdentity() == null ? proxy.getPort() : proxy.getSecurePort();
        System.out.println(READY + arguments.scheme() + "://" + arguments.host() + ":" + port);
        System.out.flush();
        stopped.await();
    }
}
