package io.tideline.core.storage;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One bucket of an object store, seen through one set of credentials. This is the whole storage
 * contract Tideline relies on; every implementation passes the shared contract test
 * ({@code ObjectStoreContract}).
 *
 * <h2>Promises</h2>
 * <ul>
 *   <li><b>Stored means confirmed.</b> Every write returns a {@link StoredObject} only after the store
 *       acknowledged the complete object; a write that throws stored nothing the caller may count on
 *       (a later {@link #head} decides). The returned value always carries the object's sha256.</li>
 *   <li><b>Checksums.</b> Single-request writes ({@link #put}, {@link #putIfAbsentOrSame}, and a
 *       {@link MultipartUpload} smaller than one part) record the whole object's sha256 in user
 *       metadata {@value #SHA256_METADATA}, so {@link #getVerified} can check it later. An object
 *       written by a real multipart upload has no such metadata (S3 takes metadata before the
 *       bytes); its sha256 is returned by {@link MultipartUpload#complete()} and the caller records
 *       it (the backup manifest does) and reads it back with {@link #openVerified(String, Sha256)}.
 *       Bodies also travel with a Content-MD5 so the server rejects a request damaged in transit.</li>
 *   <li><b>Errors.</b> A missing object is {@link NoSuchObjectException}; refused credentials are
 *       {@link StorageAccessDeniedException} (permanent); an unreachable or failing store, after the
 *       client's own retries with backoff, is {@link StorageUnavailableException} (retriable). Anything
 *       else is a {@link StorageException}. All are unchecked.</li>
 *   <li><b>Keys</b> are computed by {@link BucketLayout} only; this interface treats them as opaque.</li>
 *   <li><b>Metadata</b> keys are lower-case ({@code [a-z0-9-]+}); {@value #SHA256_METADATA} is reserved.</li>
 *   <li>Implementations are safe for concurrent use by several threads.</li>
 * </ul>
 */
public interface ObjectStore {

    /** The user-metadata key holding the whole object's sha256 (64 lower-case hex digits). */
    String SHA256_METADATA = "sha256";

    /** The bucket every key of this store lives in. */
    String bucket();

    /**
     * Stores {@code bytes} under {@code key}, replacing any object there. Returns once the store
     * confirmed the whole object; the sha256 is in metadata and in the result.
     */
    StoredObject put(String key, byte[] bytes, Map<String, String> metadata);

    /**
     * Stores the file's content under {@code key}, replacing any object there. The file is read twice
     * (once for the checksums that go in the request headers, once for the body), so it must not
     * change meanwhile; files larger than a single request allows belong in {@link #openMultipart}.
     */
    StoredObject put(String key, Path file, Map<String, String> metadata);

    /**
     * The idempotent write (WAL push): if nothing is stored under {@code key}, stores {@code bytes};
     * if an object with the same sha256 is already there, stores nothing and returns that object;
     * if a different object (or one with no sha256 recorded) is there, throws
     * {@link ObjectConflictException} and leaves it untouched. Where the store supports conditional
     * writes, a concurrent writer cannot slip in between the check and the write.
     */
    StoredObject putIfAbsentOrSame(String key, byte[] bytes, Map<String, String> metadata);

    /**
     * Starts a streaming upload of unknown length. Bytes are cut into parts of the configured size,
     * up to the configured number of parts upload in parallel, and the writer blocks when that many
     * are in flight, so memory stays bounded at (in-flight parts + 1) × part size. Nothing is
     * visible under {@code key} until {@link MultipartUpload#complete()} returns.
     */
    MultipartUpload openMultipart(String key, Map<String, String> metadata);

    /** What is stored under {@code key}, with its sha256 if recorded in metadata; empty if nothing. */
    Optional<StoredObject> head(String key);

    /** The whole object in memory: for manifests, WAL segments and other objects of bounded size. */
    byte[] get(String key);

    /** A stream of the object's bytes; the caller closes it. Not re-tried once reading has begun. */
    InputStream open(String key);

    /**
     * The whole object, checked against the sha256 in its metadata: {@link ChecksumMismatchException}
     * naming the key if the bytes differ; a {@link StorageException} if no sha256 was recorded.
     */
    byte[] getVerified(String key);

    /**
     * A stream of the object that hashes what it delivers and, at the end of the object, throws
     * {@link ChecksumMismatchException} (as the cause of an {@link java.io.IOException}) if the
     * bytes do not match {@code expected}. For large objects whose sha256 lives elsewhere (a manifest):
     * a consumer that reads to the end has read exactly the expected bytes or has been told.
     */
    default InputStream openVerified(String key, Sha256 expected) {
        Objects.requireNonNull(expected, "expected");
        return new VerifyingInputStream(open(key), bucket(), key, expected);
    }

    /**
     * Every object whose key starts with {@code prefix}, in key order, across all pages of the
     * listing. Listing entries carry key, size and last-modified time only (no sha256, no metadata);
     * a listing is never proof of content: read and verify before relying on an object.
     */
    List<StoredObject> list(String prefix);

    /**
     * Every object whose key starts with {@code prefix} and sorts after {@code startAfter} (S3's
     * {@code start-after}), in key order: a reader that knows where the interesting keys begin lists only
     * those (a WAL stream resuming from its slot, issue 18). Same entries and promises as {@link #list}.
     * The default filters a whole listing; a store (or a decorator) that can ask for less overrides it.
     */
    default List<StoredObject> listAfter(String prefix, String startAfter) {
        Objects.requireNonNull(startAfter, "startAfter");
        return list(prefix).stream().filter(o -> o.key().compareTo(startAfter) > 0).toList();
    }

    /** Removes the object; removing a key that does not exist is not an error. */
    void delete(String key);

    /**
     * Removes all {@code keys}, in batches the store accepts (1,000 for S3). Missing keys are not
     * errors; any key the store failed to delete is reported in one {@link StorageException}.
     */
    void deleteAll(Collection<String> keys);
}
