package io.tideline.core.storage;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import io.tideline.core.config.Defaults;
import io.tideline.core.config.Require;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How to reach the object store and how to talk to it, bound from {@code tideline.storage.*}. Credentials
 * are not here: they are per instance and come from the secret store ({@link ObjectStores}).
 *
 * @param endpoint         the S3 endpoint; empty means AWS's own endpoint for {@code region}
 * @param region           signing region (S3Proxy and MinIO accept any, conventionally {@code us-east-1})
 * @param pathStyle        {@code http://host/bucket/key} rather than {@code http://bucket.host/key}; S3Proxy needs it
 * @param maxAttempts      attempts per request, first one included, of the SDK's standard retry strategy
 * @param partSize         multipart part size in bytes, at least S3's minimum of 5 MiB
 * @param maxInFlightParts parts of one upload sent in parallel; memory per upload ≤ (this + 1) × partSize
 * @param listPageSize     keys per listing request (S3 caps it at 1,000)
 * @param connectTimeout   TCP connect timeout per attempt
 * @param socketTimeout    longest silence on an open connection before the attempt fails
 * @param callTimeout      longest time one call may take, every attempt and backoff included: without
 *                         it the SDK sets no total, so a store that trickles bytes, or answers each attempt
 *                         just before the socket timeout, could hold a caller for ever
 * @param trustedCa        a PEM file of the CA that signed an {@code https://} endpoint's certificate (the
 *                         Tideline CA for the embedded runtime's S3 server): trusted instead of the JDK's
 *                         public CAs; the endpoint's name is checked against the certificate either way.
 *                         Empty: the JDK's trust store (AWS, or a store with a public certificate)
 */
@ConfigurationProperties(ObjectStoreSettings.PREFIX)
public record ObjectStoreSettings(Optional<URI> endpoint,
                                  @Bindable(defaultValue = DEFAULT_REGION) String region,
                                  @Bindable(defaultValue = DEFAULT_PATH_STYLE) boolean pathStyle,
                                  @Bindable(defaultValue = DEFAULT_MAX_ATTEMPTS) int maxAttempts,
                                  @Bindable(defaultValue = DEFAULT_PART_SIZE) int partSize,
                                  @Bindable(defaultValue = DEFAULT_MAX_IN_FLIGHT_PARTS) int maxInFlightParts,
                                  @Bindable(defaultValue = DEFAULT_LIST_PAGE_SIZE) int listPageSize,
                                  @Bindable(defaultValue = DEFAULT_CONNECT_TIMEOUT) Duration connectTimeout,
                                  @Bindable(defaultValue = DEFAULT_SOCKET_TIMEOUT) Duration socketTimeout,
                                  @Bindable(defaultValue = DEFAULT_CALL_TIMEOUT) Duration callTimeout,
                                  Optional<Path> trustedCa) {

    public static final String PREFIX = "tideline.storage";
    /** S3 refuses non-final parts smaller than this. */
    public static final int MIN_PART_SIZE = 5 * 1024 * 1024;
    /** S3 returns at most this many keys per listing request. */
    public static final int MAX_LIST_PAGE_SIZE = 1000;

    static final String DEFAULT_REGION = "us-east-1";
    static final String DEFAULT_PATH_STYLE = "true";
    static final String DEFAULT_MAX_ATTEMPTS = "5";
    /** 16 MiB. */
    static final String DEFAULT_PART_SIZE = "16777216";
    static final String DEFAULT_MAX_IN_FLIGHT_PARTS = "4";
    static final String DEFAULT_LIST_PAGE_SIZE = "1000";
    static final String DEFAULT_CONNECT_TIMEOUT = "5s";
    static final String DEFAULT_SOCKET_TIMEOUT = "60s";
    /**
     * Generous on purpose: the services retry a slow store with backoff by design; this only ends a call
     * that no healthy store would take (a 16 MiB part at 30 KB/s), so that no caller waits without end.
     */
    static final String DEFAULT_CALL_TIMEOUT = "10m";

    public ObjectStoreSettings {
        Objects.requireNonNull(endpoint, "endpoint");
        Require.notBlank(region, PREFIX + ".region");
        Require.between(maxAttempts, 1, 20, PREFIX + ".max-attempts");
        Require.that(partSize >= MIN_PART_SIZE, PREFIX + ".part-size", "at least " + MIN_PART_SIZE + " bytes (S3's minimum)", partSize);
        Require.between(maxInFlightParts, 1, 64, PREFIX + ".max-in-flight-parts");
        Require.between(listPageSize, 1, MAX_LIST_PAGE_SIZE, PREFIX + ".list-page-size");
        Require.positive(connectTimeout, PREFIX + ".connect-timeout");
        Require.positive(socketTimeout, PREFIX + ".socket-timeout");
        Require.positive(callTimeout, PREFIX + ".call-timeout");
        Objects.requireNonNull(trustedCa, "trustedCa");
    }

    /** The defaults, talking to {@code endpoint} (an S3Proxy or MinIO endpoint in practice). */
    public static ObjectStoreSettings defaults(URI endpoint) {
        return new ObjectStoreSettings(Optional.of(endpoint), DEFAULT_REGION, Defaults.read(DEFAULT_PATH_STYLE, Boolean.class),
                Defaults.read(DEFAULT_MAX_ATTEMPTS, Integer.class), Defaults.read(DEFAULT_PART_SIZE, Integer.class),
                Defaults.read(DEFAULT_MAX_IN_FLIGHT_PARTS, Integer.class), Defaults.read(DEFAULT_LIST_PAGE_SIZE, Integer.class),
                Defaults.read(DEFAULT_CONNECT_TIMEOUT, Duration.class), Defaults.read(DEFAULT_SOCKET_TIMEOUT, Duration.class),
                Defaults.read(DEFAULT_CALL_TIMEOUT, Duration.class), Optional.empty());
    }

    /** These settings in another region (a test's S3 server may sign with its own). */
    public ObjectStoreSettings withRegion(String signingRegion) {
        return new ObjectStoreSettings(endpoint, signingRegion, pathStyle, maxAttempts, partSize, maxInFlightParts,
                listPageSize, connectTimeout, socketTimeout, callTimeout, trustedCa);
    }

    public ObjectStoreSettings withMaxAttempts(int attempts) {
        return new ObjectStoreSettings(endpoint, region, pathStyle, attempts, partSize, maxInFlightParts, listPageSize,
                connectTimeout, socketTimeout, callTimeout, trustedCa);
    }

    public ObjectStoreSettings withParts(int size, int inFlight) {
        return new ObjectStoreSettings(endpoint, region, pathStyle, maxAttempts, size, inFlight, listPageSize,
                connectTimeout, socketTimeout, callTimeout, trustedCa);
    }

    public ObjectStoreSettings withListPageSize(int pageSize) {
        return new ObjectStoreSettings(endpoint, region, pathStyle, maxAttempts, partSize, maxInFlightParts, pageSize,
                connectTimeout, socketTimeout, callTimeout, trustedCa);
    }

    /**
     * These settings for a caller that must hear back within {@code timeout} (the CLI): connecting, each
     * silence and each whole call, retries included, are all bounded by it.
     */
    public ObjectStoreSettings withAnswerTimeout(Duration timeout) {
        return new ObjectStoreSettings(endpoint, region, pathStyle, maxAttempts, partSize, maxInFlightParts, listPageSize,
                timeout, timeout, timeout, trustedCa);
    }

    /** These settings trusting the CA in {@code caFile} (PEM) for an {@code https://} endpoint. */
    public ObjectStoreSettings withTrustedCa(Path caFile) {
        return new ObjectStoreSettings(endpoint, region, pathStyle, maxAttempts, partSize, maxInFlightParts, listPageSize,
                connectTimeout, socketTimeout, callTimeout, Optional.of(caFile));
    }
}
