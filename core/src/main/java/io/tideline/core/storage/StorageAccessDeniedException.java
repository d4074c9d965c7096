package io.tideline.core.storage;

/**
 * The store refused these credentials for this bucket (HTTP 403). Permanent: retrying with the same
 * credentials cannot help. Usually a wrong or revoked key, or a key scoped to another instance's bucket.
 */
public final class StorageAccessDeniedException extends StorageException {

    private final String errorCode;

    public StorageAccessDeniedException(String operation, String bucket, String key, String errorCode, Throwable cause) {
        super("access denied: cannot " + operation + " " + location(bucket, key)
                        + " with these credentials (S3 error " + errorCode + "); they are missing, revoked or scoped to another bucket",
                bucket, key, false, cause);
        this.errorCode = errorCode;
    }

    /** The S3 error code, e.g. {@code AccessDenied}, {@code InvalidAccessKeyId}, {@code SignatureDoesNotMatch}. */
    public String errorCode() {
        return errorCode;
    }
}
