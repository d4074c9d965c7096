package io.tideline.core.storage;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.LegacyMd5Plugin;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

import java.time.Duration;

/** The one place an {@link S3Client} is configured, for instance stores and the admin identity alike. */
public final class S3Clients {

    /** How long a part upload may wait for a pooled connection while other parts are in flight. */
    private static final Duration CONNECTION_ACQUISITION_TIMEOUT = Duration.ofSeconds(60);
    private static final int MIN_CONNECTIONS = 16;

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
        int connections = Math.max(MIN_CONNECTIONS, settings.maxInFlightParts() * 4);
        S3ClientBuilder builder = S3Client.builder()
                .httpClientBuilder(ApacheHttpClient.builder()
                        .connectionTimeout(settings.connectTimeout())
                        .socketTimeout(settings.socketTimeout())
                        .connectionAcquisitionTimeout(CONNECTION_ACQUISITION_TIMEOUT)
                        .maxConnections(connections))
                .region(Region.of(settings.region()))
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
