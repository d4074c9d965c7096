package io.tideline.core.storage;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.LegacyMd5Plugin;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

import io.tideline.core.tls.Pem;
import io.tideline.core.tls.TlsContexts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/** The one place an {@link S3Client} is configured, for instance stores and the admin identity alike. */
public final class S3Clients {

    /** How long a part upload may wait for a pooled connection while other parts are in flight. */
    private static final Duration CONNECTION_ACQUISITION_TIMEOUT = Duration.ofSeconds(60);
    private static final int MIN_CONNECTIONS = 16;
    /**
     * The shared pool of one store endpoint serves every instance's streams and backups at once (issue 18):
     * a thousand idle streams need a few connections, but the base-backup pool's uploads (each
     * {@code max-in-flight-parts} parts) and the catching-up streams must not queue behind each other.
     */
    private static final int MIN_SHARED_CONNECTIONS = 64;

    private S3Clients() {
    }

    /**
     * A synchronous client on the Apache HTTP client with static credentials.
     *
     * <p>Retries: the SDK's standard strategy (exponential backoff with jitter, retry quota), only its
     * attempt count configured; the whole call, retries included, is bounded by {@code callTimeout}. Checksums: SDK 2.30+ adds a CRC32 trailer (aws-chunked encoding) to
     * every upload by default, which not every S3-compatible server accepts; we let the SDK compute
     * checksums only where an operation requires one, send Content-MD5 ourselves (the server rejects
     * a damaged body with BadDigest) and keep our own sha256 in metadata. The legacy MD5 plugin keeps
     * Content-MD5 on DeleteObjects for stores that still demand it instead of a CRC.
     */
    public static S3Client create(ObjectStoreSettings settings, String accessKey, String secretKey) {
        return builder(settings, accessKey, secretKey).build();
    }

    /** The configured builder, for callers that add to it (tests add interceptors) before building. */
    public static S3ClientBuilder builder(ObjectStoreSettings settings, String accessKey, String secretKey) {
        return configure(S3Client.builder().httpClientBuilder(httpClientBuilder(settings,
                Math.max(MIN_CONNECTIONS, settings.maxInFlightParts() * 4))), settings, accessKey, secretKey);
    }

    /**
     * One HTTP connection pool for the endpoint of {@code settings}, to be shared by the clients of many
     * credentials ({@link #builder(ObjectStoreSettings, SdkHttpClient, String, String)}): connections carry
     * no identity (every request is signed on its own), so a fleet needs one pool per endpoint, not one
     * per instance. The caller owns it and closes it after every client built on it.
     */
    public static SdkHttpClient sharedHttpClient(ObjectStoreSettings settings) {
        return httpClientBuilder(settings, Math.max(MIN_SHARED_CONNECTIONS, settings.maxInFlightParts() * 16)).build();
    }

    /**
     * A builder on a shared HTTP client: closing the client built from it leaves {@code httpClient} open
     * (the SDK closes only the HTTP clients it made itself).
     */
    public static S3ClientBuilder builder(ObjectStoreSettings settings, SdkHttpClient httpClient, String accessKey,
                                          String secretKey) {
        return configure(S3Client.builder().httpClient(httpClient), settings, accessKey, secretKey);
    }

    /**
     * A builder on a shared HTTP client and a shared timer ({@link #sharedScheduler}): without it every client
     * makes its own pool of up to five {@code sdk-ScheduledExecutor} threads for its call timeouts, which for a
     * replica holding a client per instance was five threads per WAL stream (issue 18). The SDK leaves both
     * open when the client is closed; the caller closes them after every client built on them.
     */
    public static S3ClientBuilder builder(ObjectStoreSettings settings, SdkHttpClient httpClient,
                                          ScheduledExecutorService scheduler, String accessKey, String secretKey) {
        S3ClientBuilder builder = builder(settings, httpClient, accessKey, secretKey);
        builder.overrideConfiguration(builder.overrideConfiguration().toBuilder().scheduledExecutorService(scheduler).build());
        return builder;
    }

    /**
     * The timer shared by the clients of one process's stores: it only arms (and, as calls end, cancels) each
     * call's timeout, so two threads serve any number of clients; cancelled timeouts leave its queue at once
     * rather than after the call timeout (10 min), so a busy replica does not hold thousands of them.
     */
    public static ScheduledExecutorService sharedScheduler() {
        AtomicInteger n = new AtomicInteger();
        ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(2, r -> {
            Thread t = new Thread(r, "s3-call-timeouts-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        scheduler.setRemoveOnCancelPolicy(true);
        return scheduler;
    }

    private static ApacheHttpClient.Builder httpClientBuilder(ObjectStoreSettings settings, int connections) {
        ApacheHttpClient.Builder builder = ApacheHttpClient.builder()
                .connectionTimeout(settings.connectTimeout())
                .socketTimeout(settings.socketTimeout())
                .connectionAcquisitionTimeout(CONNECTION_ACQUISITION_TIMEOUT)
                .maxConnections(connections);
        // Trust the configured CA only; the Apache client still checks the endpoint's name against the certificate
        // (the SDK turns host-name verification off only with trustAllCertificates, which nothing here sets).
        settings.trustedCa().ifPresent(ca -> {
            X509TrustManager trust = TlsContexts.trustManager(Pem.certificate(readCa(ca)));
            builder.tlsTrustManagersProvider(() -> new TrustManager[] {trust});
        });
        return builder;
    }

    private static String readCa(Path file) {
        try {
            return Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the object store's CA certificate " + file, e);
        }
    }

    private static S3ClientBuilder configure(S3ClientBuilder builder, ObjectStoreSettings settings, String accessKey,
                                             String secretKey) {
        builder.region(Region.of(settings.region()))
                .forcePathStyle(settings.pathStyle())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secretKey)))
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .addPlugin(LegacyMd5Plugin.create())
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.standardRetryStrategy().toBuilder()
                                .maxAttempts(settings.maxAttempts())
                                .build())
                        // The SDK bounds nothing in total by default; every call ends within this, retries included.
                        .apiCallTimeout(settings.callTimeout()));
        settings.endpoint().ifPresent(builder::endpointOverride);
        return builder;
    }
}
