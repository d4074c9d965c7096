package io.tideline.s3server;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * An S3 identity that reaches exactly one bucket: read-write (an instance's own), or read-only until it
 * expires (minted for one restore, which reads its source's bucket with it).
 *
 * @param readOnly  GET, HEAD and LIST only; every write is refused
 * @param expiresAt after it the identity is unknown (a revocation that never came still ends)
 */
public record Identity(String accessKey, String secretKey, String bucket, boolean readOnly, Optional<Instant> expiresAt) {

    /** An instance's own identity: read-write, without end. */
    public Identity(String accessKey, String secretKey, String bucket) {
        this(accessKey, secretKey, bucket, false, Optional.empty());
    }

    // The access key names a file: no separators, no leading dot, nothing a path could escape with.
    private static final Pattern ACCESS_KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{2,127}");
    // S3's rules for bucket names (lowercase, digits, dots, hyphens; 3-63; alphanumeric at both ends).
    private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");

    public Identity {
        Objects.requireNonNull(accessKey, "accessKey");
        Objects.requireNonNull(secretKey, "secretKey");
        Objects.requireNonNull(bucket, "bucket");
        Objects.requireNonNull(expiresAt, "expiresAt");
        if (!isValidAccessKey(accessKey)) {
            throw new IllegalArgumentException("invalid access key: " + accessKey);
        }
        if (secretKey.isBlank()) {
            throw new IllegalArgumentException("empty secret key for " + accessKey);
        }
        if (!isValidBucket(bucket)) {
            throw new IllegalArgumentException("invalid bucket name for " + accessKey + ": " + bucket);
        }
    }

    /** Whether the identity has expired at {@code now}. */
    public boolean expiredAt(Instant now) {
        return expiresAt.map(end -> !now.isBefore(end)).orElse(false);
    }

    public static boolean isValidAccessKey(String accessKey) {
        return accessKey != null && ACCESS_KEY.matcher(accessKey).matches();
    }

    public static boolean isValidBucket(String bucket) {
        return bucket != null && BUCKET.matcher(bucket).matches() && !bucket.contains("..");
    }

    @Override
    public String toString() {
        return "Identity[accessKey=" + accessKey + ", bucket=" + bucket + (readOnly ? ", read-only" : "")
                + expiresAt.map(e -> ", expires " + e).orElse("") + ", secretKey=***]";
    }
}
