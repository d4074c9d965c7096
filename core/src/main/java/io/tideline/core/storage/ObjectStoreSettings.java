package io.tideline.core.storage;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How to reach the object store and how to talk to it. Credentials are not here: they are per
 * instance and come from the secret store ({@link ObjectStores}).
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
 */
public record ObjectStoreSettings(Optional<URI> endpoint, String region, boolean pathStyle, int maxAttempts,
                                 int partSize, int maxInFlightParts, int listPageSize,
                                 Duration connectTimeout, Duration socketTimeout) {

    public static final String DEFAULT_REGION = "us-east-1";
    public static final boolean DEFAULT_PATH_STYLE = true;
    public static final int DEFAULT_MAX_ATTEMPTS = 5;
    /** S3 refuses non-final parts smaller than this. */
    public static final int MIN_PART_SIZE = 5 * 1024 * 1024;
    public static final int DEFAULT_PART_SIZE = 16 * 1024 * 1024;
    public static final int DEFAULT_MAX_IN_FLIGHT_PARTS = 4;
    public static final int MAX_LIST_PAGE_SIZE = 1000;
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_SOCKET_TIMEOUT = Duration.ofSeconds(60);

    public ObjectStoreSettings {
        Objects.requireNonNull(endpoint, "endpoint");
        if (region == null || region.isBlank()) {
            throw new IllegalArgumentException("storage region is missing");
        }
        if (maxAttempts < 1 || maxAttempts > 20) {
            throw new IllegalArgumentException("storage maxAttempts must be 1..20, not " + maxAttempts);
        }
        if (partSize < MIN_PART_SIZE) {
            throw new IllegalArgumentException("storage partSize must be at least " + MIN_PART_SIZE + " bytes (S3's minimum), not " + partSize);
        }
        if (maxInFlightParts < 1 || maxInFlightParts > 64) {
            throw new IllegalArgumentException("storage maxInFlightParts must be 1..64, not " + maxInFlightParts);
        }
        if (listPageSize < 1 || listPageSize > MAX_LIST_PAGE_SIZE) {
            throw new IllegalArgumentException("storage listPageSize must be 1.." + MAX_LIST_PAGE_SIZE + ", not " + listPageSize);
        }
        requirePositive(connectTimeout, "connectTimeout");
        requirePositive(socketTimeout, "socketTimeout");
    }

    private static void requirePositive(Duration d, String name) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("storage " + name + " must be positive, not " + d);
        }
    }

    /** The defaults, talking to {@code endpoint} (an S3Proxy or MinIO endpoint in practice). */
    public static ObjectStoreSettings defaults(URI endpoint) {
        return new ObjectStoreSettings(Optional.of(endpoint), DEFAULT_REGION, DEFAULT_PATH_STYLE, DEFAULT_MAX_ATTEMPTS,
                DEFAULT_PART_SIZE, DEFAULT_MAX_IN_FLIGHT_PARTS, MAX_LIST_PAGE_SIZE,
                DEFAULT_CONNECT_TIMEOUT, DEFAULT_SOCKET_TIMEOUT);
    }

    public ObjectStoreSettings withMaxAttempts(int attempts) {
        return new ObjectStoreSettings(endpoint, region, pathStyle, attempts, partSize, maxInFlightParts, listPageSize,
                connectTimeout, socketTimeout);
    }

    public ObjectStoreSettings withParts(int size, int inFlight) {
        return new ObjectStoreSettings(endpoint, region, pathStyle, maxAttempts, size, inFlight, listPageSize,
                connectTimeout, socketTimeout);
    }

    public ObjectStoreSettings withListPageSize(int pageSize) {
        return new ObjectStoreSettings(endpoint, region, pathStyle, maxAttempts, partSize, maxInFlightParts, pageSize,
                connectTimeout, socketTimeout);
    }
}
