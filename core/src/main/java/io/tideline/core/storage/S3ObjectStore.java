package io.tideline.core.storage;

import static io.tideline.core.storage.ObjectStoreArguments.checkedMetadata;
import static io.tideline.core.storage.ObjectStoreArguments.requireKey;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.Delete;
import software.amazon.awssdk.services.s3.model.DeleteObjectsResponse;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Error;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * {@link ObjectStore} on one S3 bucket through the AWS SDK v2. The {@link S3Client} is borrowed, not
 * owned: whoever built it (usually {@link ObjectStores}) closes it. Retries with backoff are the
 * client's (see {@link S3Clients}); this class classifies what is left after them.
 */
public final class S3ObjectStore implements ObjectStore {

    /** S3's limit for a single PUT. */
    static final long MAX_SINGLE_PUT_BYTES = 5L * 1024 * 1024 * 1024;
    /** S3's limit of keys per DeleteObjects request. */
    static final int DELETE_BATCH = 1000;
    private static final String CONTENT_TYPE = "application/octet-stream";

    private final S3Client client;
    private final String bucket;
    private final ObjectStoreSettings settings;
    private final Clock clock;

    public S3ObjectStore(S3Client client, String bucket, ObjectStoreSettings settings, Clock clock) {
        this.client = Objects.requireNonNull(client, "client");
        if (bucket == null || bucket.isBlank()) {
            throw new IllegalArgumentException("bucket is missing");
        }
        this.bucket = bucket;
        this.settings = Objects.requireNonNull(settings, "settings");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public String bucket() {
        return bucket;
    }

    ObjectStoreSettings settings() {
        return settings;
    }

    S3Client client() {
        return client;
    }

    @Override
    public StoredObject put(String key, byte[] bytes, Map<String, String> metadata) {
        return putRange(key, bytes, 0, bytes.length, metadata);
    }

    /** A single PUT of {@code bytes[offset, offset+length)}; used by small multipart uploads too. */
    StoredObject putRange(String key, byte[] bytes, int offset, int length, Map<String, String> metadata) {
        requireKey(key);
        Sha256 sha256 = Sha256.of(bytes, offset, length);
        StoredObject stored = doPut(key, arrayBody(bytes, offset, length), length, md5(bytes, offset, length),
                sha256, metadata, false);
        return Objects.requireNonNull(stored);
    }

    @Override
    public StoredObject put(String key, Path file, Map<String, String> metadata) {
        requireKey(key);
        long size;
        MessageDigest sha = Sha256.newDigest();
        MessageDigest md5 = newMd5();
        try {
            size = Files.size(file);
            if (size > MAX_SINGLE_PUT_BYTES) {
                throw new IllegalArgumentException(file + " has " + size + " bytes, more than one PUT may carry ("
                        + MAX_SINGLE_PUT_BYTES + "): use openMultipart");
            }
            try (InputStream in = Files.newInputStream(file)) {
                byte[] buffer = new byte[64 * 1024];
                for (int n; (n = in.read(buffer)) > 0; ) {
                    sha.update(buffer, 0, n);
                    md5.update(buffer, 0, n);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + " to store it as " + StorageException.location(bucket, key), e);
        }
        return Objects.requireNonNull(doPut(key, RequestBody.fromFile(file), size,
                Base64.getEncoder().encodeToString(md5.digest()), Sha256.ofDigest(sha.digest()), metadata, false));
    }

    @Override
    public StoredObject putIfAbsentOrSame(String key, byte[] bytes, Map<String, String> metadata) {
        requireKey(key);
        Sha256 sha256 = Sha256.of(bytes);
        Optional<StoredObject> existing = head(key);
        if (existing.isPresent()) {
            return sameOrConflict(key, sha256, existing.get());
        }
        StoredObject stored = doPut(key, arrayBody(bytes, 0, bytes.length), bytes.length, md5(bytes, 0, bytes.length),
                sha256, metadata, true);
        if (stored != null) {
            return stored;
        }
        // Another writer created the key between our HEAD and our conditional PUT.
        return head(key).map(raced -> sameOrConflict(key, sha256, raced))
                .orElseThrow(() -> new StorageException("conditional write of " + StorageException.location(bucket, key)
                        + " was refused but the object is gone again; retry", bucket, key, true, null));
    }

    private StoredObject sameOrConflict(String key, Sha256 attempted, StoredObject existing) {
        if (existing.sha256().filter(attempted::equals).isPresent()) {
            return existing;
        }
        throw new ObjectConflictException(bucket, key, attempted, existing.sha256());
    }

    /**
     * One PUT. With {@code ifAbsent} the request carries {@code If-None-Match: *} and a refusal
     * because the key exists returns null instead of throwing.
     */
    private StoredObject doPut(String key, RequestBody body, long length, String md5Base64, Sha256 sha256,
                               Map<String, String> metadata, boolean ifAbsent) {
        Map<String, String> userMetadata = checkedMetadata(metadata);
        Map<String, String> sent = new HashMap<>(userMetadata);
        sent.put(SHA256_METADATA, sha256.hex());
        PutObjectRequest.Builder request = PutObjectRequest.builder()
                .bucket(bucket).key(key)
                .contentLength(length)
                .contentMD5(md5Base64)
                .contentType(CONTENT_TYPE)
                .metadata(sent);
        if (ifAbsent) {
            request.ifNoneMatch("*");
        }
        try {
            PutObjectResponse response = client.putObject(request.build(), body);
            return new StoredObject(key, length, serverTime(response.sdkHttpResponse()), Optional.of(sha256), userMetadata);
        } catch (AwsServiceException e) {
            if (ifAbsent && (e.statusCode() == 412 || e.statusCode() == 409)) {
                return null;
            }
            throw translate("store", key, e);
        } catch (SdkException e) {
            throw translate("store", key, e);
        }
    }

    @Override
    public MultipartUpload openMultipart(String key, Map<String, String> metadata) {
        requireKey(key);
        return new S3MultipartUpload(this, key, checkedMetadata(metadata));
    }

    @Override
    public Optional<StoredObject> head(String key) {
        requireKey(key);
        try {
            HeadObjectResponse response = client.headObject(b -> b.bucket(bucket).key(key));
            return Optional.of(new StoredObject(key, response.contentLength(), response.lastModified(),
                    recordedSha256(key, response.metadata()), withoutSha256(response.metadata())));
        } catch (AwsServiceException e) {
            if (e.statusCode() == 404) {
                return Optional.empty();
            }
            throw translate("inspect", key, e);
        } catch (SdkException e) {
            throw translate("inspect", key, e);
        }
    }

    @Override
    public byte[] get(String key) {
        return getBytes(key).asByteArrayUnsafe();
    }

    private ResponseBytes<GetObjectResponse> getBytes(String key) {
        requireKey(key);
        try {
            return client.getObjectAsBytes(b -> b.bucket(bucket).key(key));
        } catch (SdkException e) {
            throw translate("read", key, e);
        }
    }

    @Override
    public InputStream open(String key) {
        requireKey(key);
        try {
            return client.getObject(b -> b.bucket(bucket).key(key));
        } catch (SdkException e) {
            throw translate("read", key, e);
        }
    }

    @Override
    public byte[] getVerified(String key) {
        ResponseBytes<GetObjectResponse> response = getBytes(key);
        Sha256 expected = recordedSha256(key, response.response().metadata())
                .orElseThrow(() -> new StorageException("cannot verify " + StorageException.location(bucket, key)
                        + ": no sha256 recorded in its metadata (a multipart object is verified against its manifest)",
                        bucket, key, false, null));
        byte[] bytes = response.asByteArrayUnsafe();
        Sha256 actual = Sha256.of(bytes);
        if (!actual.equals(expected)) {
            throw new ChecksumMismatchException(bucket, key, expected, actual);
        }
        return bytes;
    }

    @Override
    public List<StoredObject> list(String prefix) {
        Objects.requireNonNull(prefix, "prefix");
        return list(ListObjectsV2Request.builder().bucket(bucket).prefix(prefix).maxKeys(settings.listPageSize()).build());
    }

    @Override
    public List<StoredObject> listAfter(String prefix, String startAfter) {
        Objects.requireNonNull(prefix, "prefix");
        Objects.requireNonNull(startAfter, "startAfter");
        return list(ListObjectsV2Request.builder().bucket(bucket).prefix(prefix).startAfter(startAfter)
                .maxKeys(settings.listPageSize()).build());
    }

    private List<StoredObject> list(ListObjectsV2Request request) {
        List<StoredObject> objects = new ArrayList<>();
        try {
            for (ListObjectsV2Response page : client.listObjectsV2Paginator(request)) {
                for (S3Object o : page.contents()) {
                    objects.add(new StoredObject(o.key(), o.size(), o.lastModified(), Optional.empty(), Map.of()));
                }
            }
        } catch (SdkException e) {
            throw translate("list", null, e);
        }
        return objects;
    }

    @Override
    public void delete(String key) {
        requireKey(key);
        try {
            client.deleteObject(b -> b.bucket(bucket).key(key));
        } catch (AwsServiceException e) {
            if (e.statusCode() == 404 && !isNoSuchBucket(e)) {
                return;
            }
            throw translate("delete", key, e);
        } catch (SdkException e) {
            throw translate("delete", key, e);
        }
    }

    @Override
    public void deleteAll(Collection<String> keys) {
        List<String> unique = new ArrayList<>(new LinkedHashSet<>(keys));
        unique.forEach(ObjectStoreArguments::requireKey);
        List<S3Error> failed = new ArrayList<>();
        for (int from = 0; from < unique.size(); from += DELETE_BATCH) {
            List<ObjectIdentifier> batch = unique.subList(from, Math.min(unique.size(), from + DELETE_BATCH)).stream()
                    .map(k -> ObjectIdentifier.builder().key(k).build())
                    .toList();
            try {
                DeleteObjectsResponse response = client.deleteObjects(b -> b.bucket(bucket)
                        .delete(Delete.builder().objects(batch).quiet(true).build()));
                // "NoSuchKey" in a batch is a key already gone: what we wanted.
                response.errors().stream().filter(err -> !"NoSuchKey".equals(err.code())).forEach(failed::add);
            } catch (SdkException e) {
                throw translate("delete " + batch.size() + " objects from", null, e);
            }
        }
        if (!failed.isEmpty()) {
            String sample = failed.stream().limit(5)
                    .map(err -> err.key() + " (" + err.code() + ": " + err.message() + ")")
                    .collect(Collectors.joining(", "));
            throw new StorageException("could not delete " + failed.size() + " of " + unique.size() + " objects from bucket "
                    + bucket + ", e.g. " + sample, bucket, failed.get(0).key(), false, null);
        }
    }

    /** Maps what the SDK threw, after its retries, onto the contract's exceptions (which {@link StorageErrors} classifies). */
    public StorageException translate(String operation, String key, SdkException e) {
        if (e instanceof AwsServiceException service) {
            int status = service.statusCode();
            String code = service.awsErrorDetails() == null ? null : service.awsErrorDetails().errorCode();
            if (status == 403) {
                return new StorageAccessDeniedException(operation, bucket, key, code == null ? "HTTP 403" : code, e);
            }
            if (status == 404 && key != null && !isNoSuchBucket(service)) {
                return new NoSuchObjectException(bucket, key, e);
            }
            if (status >= 500 || status == 429 || service.isThrottlingException()) {
                return new StorageUnavailableException(operation, bucket, key, e);
            }
            return new StorageException("cannot " + operation + " " + StorageException.location(bucket, key)
                    + ": S3 error " + code + " (HTTP " + status + "): " + e.getMessage(), bucket, key, false, e);
        }
        // Client-side: connection refused, timeouts, broken streams; the SDK already retried them.
        return new StorageUnavailableException(operation, bucket, key, e);
    }

    private static boolean isNoSuchBucket(AwsServiceException e) {
        return e.awsErrorDetails() != null && "NoSuchBucket".equals(e.awsErrorDetails().errorCode());
    }

    /** The server's clock for "when was it stored"; ours only if the response has no Date header. */
    Instant serverTime(SdkHttpResponse response) {
        return response.firstMatchingHeader("Date").flatMap(date -> {
            try {
                return Optional.of(ZonedDateTime.parse(date, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
            } catch (DateTimeParseException e) {
                return Optional.empty();
            }
        }).orElseGet(clock::instant);
    }

    private Optional<Sha256> recordedSha256(String key, Map<String, String> metadata) {
        String recorded = metadata.get(SHA256_METADATA);
        if (recorded == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(Sha256.parse(recorded));
        } catch (IllegalArgumentException e) {
            throw new StorageException("object " + StorageException.location(bucket, key) + " has malformed sha256 metadata '"
                    + recorded + "'", bucket, key, false, e);
        }
    }

    private static Map<String, String> withoutSha256(Map<String, String> metadata) {
        Map<String, String> copy = new HashMap<>(metadata);
        copy.remove(SHA256_METADATA);
        return copy;
    }

    static RequestBody arrayBody(byte[] bytes, int offset, int length) {
        // The SDK's fromBytes copies the array; parts are 16 MiB, so hand it a view instead.
        ContentStreamProvider provider = () -> new java.io.ByteArrayInputStream(bytes, offset, length);
        return RequestBody.fromContentProvider(provider, length, CONTENT_TYPE);
    }

    static String md5(byte[] bytes, int offset, int length) {
        MessageDigest md5 = newMd5();
        md5.update(bytes, offset, length);
        return Base64.getEncoder().encodeToString(md5.digest());
    }

    private static MessageDigest newMd5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no MD5", e);
        }
    }
}
