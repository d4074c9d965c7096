package io.tideline.testkit.storage;

import static io.tideline.core.storage.ObjectStoreArguments.checkedMetadata;
import static io.tideline.core.storage.ObjectStoreArguments.requireKey;

import io.tideline.core.storage.ChecksumMismatchException;
import io.tideline.core.storage.MultipartUpload;
import io.tideline.core.storage.NoSuchObjectException;
import io.tideline.core.storage.ObjectConflictException;
import io.tideline.core.storage.ObjectStore;
import io.tideline.core.storage.ObjectStoreArguments;
import io.tideline.core.storage.ObjectStoreSettings;
import io.tideline.core.storage.Sha256;
import io.tideline.core.storage.StorageException;
import io.tideline.core.storage.StorageUnavailableException;
import io.tideline.core.storage.StoredObject;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * An {@link ObjectStore} held in memory, for unit tests that must run in milliseconds: it keeps every
 * promise of the contract ({@link ObjectStoreContract} checks them) the way S3 keeps them, so logic
 * tested against it behaves the same against the real store.
 *
 * <ul>
 *   <li>Objects written in one request, and multipart uploads smaller than one part, carry their
 *       sha256 in metadata; a multipart upload of one part or more does not (as on S3), and its sha256
 *       is only in what {@link MultipartUpload#complete()} returns.</li>
 *   <li>Last-modified times come from the given clock, in whole seconds as S3 reports them.</li>
 *   <li>Listings are in key order (S3's lexicographic order of the UTF-8 bytes, which for the ASCII
 *       keys of {@code BucketLayout} is {@link String#compareTo}) and carry no sha256 or metadata.</li>
 *   <li>Bytes are copied in and out: a caller that changes an array it passed or received changes
 *       nothing stored.</li>
 * </ul>
 *
 * <p>For the tests of retry and failure rules it fails on request: {@link #failNext} makes the next
 * calls of one kind throw (by default the retriable {@link StorageUnavailableException} a store that
 * is down would throw) before they have any effect, and {@link #attempts} counts the calls each kind
 * received, failed ones included. {@link #corrupt} changes stored bytes behind the store's back.
 *
 * <p>Safe for concurrent use; {@link #putIfAbsentOrSame} is atomic, as a conditional write is on S3.
 */
public final class InMemoryObjectStore implements ObjectStore {

    /** The kinds of call a failure can be injected into. */
    public enum Operation {
        /** {@code put}, {@code putIfAbsentOrSame}, and {@link MultipartUpload#complete()}. */
        WRITE,
        /** {@code head}, {@code get}, {@code getVerified}, {@code open}, {@code openVerified}. */
        READ,
        /** {@code list}. */
        LIST,
        /** {@code delete}, {@code deleteAll}. */
        DELETE
    }

    private record Entry(byte[] bytes, Instant lastModified, Optional<Sha256> sha256, Map<String, String> metadata) {

        StoredObject described(String key) {
            return new StoredObject(key, bytes.length, lastModified, sha256, metadata);
        }
    }

    private final String bucket;
    private final int partSize;
    private final Clock clock;
    private final ConcurrentSkipListMap<String, Entry> objects = new ConcurrentSkipListMap<>();
    private final Map<Operation, Queue<Function<String, StorageException>>> failures = new EnumMap<>(Operation.class);
    private final Map<Operation, AtomicInteger> attempts = new EnumMap<>(Operation.class);

    /**
     * @param bucket   the name {@link #bucket()} reports and errors name
     * @param partSize the multipart part size: uploads smaller than it are stored as one request would
     * @param clock    the source of last-modified times
     */
    public InMemoryObjectStore(String bucket, int partSize, Clock clock) {
        if (bucket == null || bucket.isBlank()) {
            throw new IllegalArgumentException("bucket is missing");
        }
        if (partSize < 1) {
            throw new IllegalArgumentException("partSize must be positive, not " + partSize);
        }
        this.bucket = bucket;
        this.partSize = partSize;
        this.clock = Objects.requireNonNull(clock, "clock");
        for (Operation operation : Operation.values()) {
            failures.put(operation, new ConcurrentLinkedQueue<>());
            attempts.put(operation, new AtomicInteger());
        }
    }

    /** A store named {@code bucket} with S3's minimum part size and the system clock. */
    public InMemoryObjectStore(String bucket) {
        this(bucket, ObjectStoreSettings.MIN_PART_SIZE, Clock.systemUTC());
    }

    /** Makes the next {@code count} calls of {@code operation} fail as an unreachable store does (retriable). */
    public void failNext(Operation operation, int count) {
        failNext(operation, count, key -> new StorageUnavailableException(operation.name().toLowerCase(), bucket, key,
                new IOException("failure injected by the test")));
    }

    /** Makes the next {@code count} calls of {@code operation} throw what {@code failure} makes of the key (null for a listing or batch). */
    public void failNext(Operation operation, int count, Function<String, ? extends StorageException> failure) {
        Objects.requireNonNull(failure, "failure");
        for (int i = 0; i < count; i++) {
            failures.get(operation).add(failure::apply);
        }
    }

    /** Drops the failures not yet thrown. */
    public void clearFailures() {
        failures.values().forEach(Queue::clear);
    }

    /** How many calls of {@code operation} this store received, the failed ones included. */
    public int attempts(Operation operation) {
        return attempts.get(operation).get();
    }

    /** The keys stored now, in key order. */
    public List<String> keys() {
        return List.copyOf(objects.keySet());
    }

    /**
     * Replaces the bytes under {@code key} keeping its recorded sha256 and metadata, as bit rot or a
     * writer that bypasses the store would; fails if nothing is stored there.
     */
    public void corrupt(String key, byte[] replacement) {
        Entry entry = objects.computeIfPresent(key,
                (k, old) -> new Entry(replacement.clone(), old.lastModified(), old.sha256(), old.metadata()));
        if (entry == null) {
            throw new NoSuchObjectException(bucket, key, null);
        }
    }

    @Override
    public String bucket() {
        return bucket;
    }

    @Override
    public StoredObject put(String key, byte[] bytes, Map<String, String> metadata) {
        return store(key, bytes.clone(), checkedMetadata(metadata), true);
    }

    @Override
    public StoredObject put(String key, Path file, Map<String, String> metadata) {
        requireKey(key);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + " to store it as " + bucket + "/" + key, e);
        }
        return store(key, bytes, checkedMetadata(metadata), true);
    }

    @Override
    public StoredObject putIfAbsentOrSame(String key, byte[] bytes, Map<String, String> metadata) {
        requireKey(key);
        Map<String, String> checked = checkedMetadata(metadata);
        attempt(Operation.WRITE, key);
        Sha256 attempted = Sha256.of(bytes);
        Entry fresh = new Entry(bytes.clone(), now(), Optional.of(attempted), checked);
        Entry held = objects.compute(key, (k, existing) -> existing == null ? fresh : existing);
        if (held == fresh || held.sha256().filter(attempted::equals).isPresent()) {
            return held.described(key);
        }
        throw new ObjectConflictException(bucket, key, attempted, held.sha256());
    }

    @Override
    public MultipartUpload openMultipart(String key, Map<String, String> metadata) {
        requireKey(key);
        return new InMemoryMultipartUpload(key, checkedMetadata(metadata));
    }

    @Override
    public Optional<StoredObject> head(String key) {
        requireKey(key);
        attempt(Operation.READ, key);
        return Optional.ofNullable(objects.get(key)).map(entry -> entry.described(key));
    }

    @Override
    public byte[] get(String key) {
        return read(key).bytes().clone();
    }

    @Override
    public InputStream open(String key) {
        return new ByteArrayInputStream(read(key).bytes());
    }

    @Override
    public byte[] getVerified(String key) {
        Entry entry = read(key);
        Sha256 expected = entry.sha256().orElseThrow(() -> new StorageException("cannot verify " + bucket + "/" + key
                + ": no sha256 recorded in its metadata (a multipart object is verified against its manifest)",
                bucket, key, false, null));
        Sha256 actual = Sha256.of(entry.bytes());
        if (!actual.equals(expected)) {
            throw new ChecksumMismatchException(bucket, key, expected, actual);
        }
        return entry.bytes().clone();
    }

    @Override
    public List<StoredObject> list(String prefix) {
        Objects.requireNonNull(prefix, "prefix");
        attempt(Operation.LIST, null);
        return objects.tailMap(prefix).entrySet().stream()
                .takeWhile(e -> e.getKey().startsWith(prefix))
                .map(e -> new StoredObject(e.getKey(), e.getValue().bytes().length, e.getValue().lastModified(),
                        Optional.empty(), Map.of()))
                .toList();
    }

    @Override
    public void delete(String key) {
        requireKey(key);
        attempt(Operation.DELETE, key);
        objects.remove(key);
    }

    @Override
    public void deleteAll(Collection<String> keys) {
        keys.forEach(ObjectStoreArguments::requireKey);
        attempt(Operation.DELETE, null);
        keys.forEach(objects::remove);
    }

    private Entry read(String key) {
        requireKey(key);
        attempt(Operation.READ, key);
        Entry entry = objects.get(key);
        if (entry == null) {
            throw new NoSuchObjectException(bucket, key, null);
        }
        return entry;
    }

    /** Stores bytes the caller can no longer change; {@code recordSha256} as a single request would. */
    private StoredObject store(String key, byte[] owned, Map<String, String> metadata, boolean recordSha256) {
        requireKey(key);
        attempt(Operation.WRITE, key);
        Sha256 sha256 = Sha256.of(owned);
        Entry entry = new Entry(owned, now(), recordSha256 ? Optional.of(sha256) : Optional.empty(), metadata);
        objects.put(key, entry);
        return new StoredObject(key, owned.length, entry.lastModified(), Optional.of(sha256), metadata);
    }

    /** Counts the call, then throws the next injected failure of its kind if there is one. */
    private void attempt(Operation operation, String key) {
        attempts.get(operation).incrementAndGet();
        Function<String, StorageException> failure = failures.get(operation).poll();
        if (failure != null) {
            throw failure.apply(key);
        }
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.SECONDS);
    }

    /** Buffers what is written; nothing is visible under the key before {@link #complete()}. */
    private final class InMemoryMultipartUpload implements MultipartUpload {

        private enum State { OPEN, COMPLETED, ABORTED }

        private final String key;
        private final Map<String, String> metadata;
        private ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        private long written;
        private State state = State.OPEN;

        InMemoryMultipartUpload(String key, Map<String, String> metadata) {
            this.key = key;
            this.metadata = metadata;
        }

        @Override
        public String key() {
            return key;
        }

        @Override
        public void write(byte[] bytes, int offset, int length) {
            requireOpen();
            buffer.write(bytes, offset, length);
            written += length;
        }

        @Override
        public long bytesWritten() {
            return written;
        }

        @Override
        public StoredObject complete() {
            requireOpen();
            try {
                // One part or more is a real multipart upload: S3 records no sha256 in its metadata.
                StoredObject stored = store(key, buffer.toByteArray(), metadata, written < partSize);
                state = State.COMPLETED;
                buffer = null;
                return stored;
            } catch (RuntimeException e) {
                abort();
                throw e;
            }
        }

        @Override
        public void abort() {
            state = state == State.OPEN ? State.ABORTED : state;
            buffer = null;
        }

        @Override
        public void close() {
            if (state == State.OPEN) {
                abort();
            }
        }

        private void requireOpen() {
            if (state != State.OPEN) {
                throw new IllegalStateException("upload of " + bucket + "/" + key + " is already " + state.name().toLowerCase());
            }
        }
    }
}
