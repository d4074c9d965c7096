package io.tideline.restore.wal;

import com.github.luben.zstd.Zstd;
import io.tideline.core.ids.RestoreId;
import io.tideline.core.instance.WalSpool;
import io.tideline.core.storage.BucketLayout;
import io.tideline.core.storage.ChecksumMismatchException;
import io.tideline.core.storage.NoSuchObjectException;
import io.tideline.core.storage.ObjectStore;
import io.tideline.core.storage.Sha256;
import io.tideline.core.storage.StorageException;
import io.tideline.core.storage.StoredObject;
import io.tideline.core.storage.WalObjectMetadata;
import io.tideline.core.wal.WalSegmentName;
import java.io.IOException;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The WAL of one running restore, served from the SOURCE bucket to the recovering server.
 *
 * <ul>
 *   <li><b>Verified.</b> Every object is checked against the sha256 recorded with it, decompressed, and its
 *       WAL checked against the uncompressed sha256 and length in its metadata. Any mismatch fails the
 *       restore, naming the object: corrupt WAL is never handed to the server, and never passed off as the
 *       end of the archive (which would silently stop recovery early).</li>
 *   <li><b>Complete, then partial.</b> A segment is served from {@code <segment>.zst}; if only
 *       {@code <segment>.partial.zst} exists, its bytes are padded with zeros to the segment size, which the
 *       server reads as the end of valid WAL: {@code latest} reaches the last stored byte.</li>
 *   <li><b>Required means required.</b> A segment that was stored when the restore was accepted and lies
 *       in the restore's WAL range must still be there; if it is gone the restore fails naming it. Any other
 *       missing file is the end of the archive (404).</li>
 *   <li><b>Prefetch.</b> After serving segment N, segments N+1..N+k of the same timeline are fetched in
 *       parallel; the cache keeps only those ahead of what recovery asked for, so memory stays at about
 *       (k + 1) segments.</li>
 *   <li><b>Spool.</b> With a {@link WalSpool} (the server runs on this machine), complete segments fetched
 *       ahead are written there instead of kept in memory, and the server's {@code restore_command} takes
 *       them with a rename: no HTTP request and no download per segment on the replay's critical path.
 *       {@link #reap} (run by the {@link WalServer} every few milliseconds) notices what the server took,
 *       counts it as served and fetches further ahead. The spool holds only complete, verified segments —
 *       exactly the bytes a request for the same name would get — so it never changes what recovery sees;
 *       partial segments and the end of the archive are always answered over HTTP, at the time of asking.</li>
 * </ul>
 * Once failed, a session answers every request with the failure, so recovery cannot continue past it.
 */
public final class WalSession {

    private static final Logger LOG = LoggerFactory.getLogger(WalSession.class);
    private static final Pattern HISTORY = Pattern.compile("([0-9A-F]{8})\\.history");
    /** A partial is replaced at every flush; a read racing a replacement is retried this often. */
    private static final int REPLACED_RETRIES = 3;

    /** The outcome of loading one segment; {@code Absent} is not cached for good (the archive may still grow). */
    private sealed interface Load {
        record Loaded(byte[] bytes, String key, boolean partial) implements Load {
        }

        /** A complete segment waiting in the spool: its bytes are there, not in memory. */
        record Spooled(String key, long bytes) implements Load {
        }

        record Absent() implements Load {
        }

        record Broken(String reason) implements Load {
        }
    }

    private final RestoreId restoreId;
    private final ObjectStore store;
    private final BucketLayout layout;
    private final Set<WalSegmentName> required;
    private final int prefetch;
    private final Executor executor;
    private final Map<WalSegmentName, CompletableFuture<Load>> cache = new ConcurrentHashMap<>();
    private final AtomicReference<String> failure = new AtomicReference<>();
    private final AtomicLong segmentsServed = new AtomicLong();
    private final AtomicLong bytesServed = new AtomicLong();
    private final AtomicLong segmentsFromSpool = new AtomicLong();
    private final AtomicReference<WalSegmentName> newestServed = new AtomicReference<>();
    private final Optional<WalSpool> spool;
    /** The newest segment number recovery asked for or took: what lies beyond it is worth spooling. */
    private final AtomicLong reachedSegmentNo = new AtomicLong(-1);
    private volatile boolean closed;

    WalSession(RestoreId restoreId, ObjectStore store, BucketLayout layout, Set<WalSegmentName> required, int prefetch,
               Executor executor, Optional<WalSpool> spool) {
        this.restoreId = Objects.requireNonNull(restoreId, "restoreId");
        this.store = Objects.requireNonNull(store, "store");
        this.layout = Objects.requireNonNull(layout, "layout");
        this.required = Set.copyOf(required);
        this.prefetch = prefetch;
        this.executor = Objects.requireNonNull(executor, "executor");
        this.spool = Objects.requireNonNull(spool, "spool");
    }

    public RestoreId restoreId() {
        return restoreId;
    }

    /** Why the restore must fail, once something was wrong with its WAL. */
    public Optional<String> failure() {
        return Optional.ofNullable(failure.get());
    }

    /** WAL segments handed to the server (each is replayed once the server has it), over HTTP or the spool. */
    public long segmentsServed() {
        reap();
        return segmentsServed.get();
    }

    /** Of {@link #segmentsServed}, those the server took from the spool without asking. */
    public long segmentsFromSpool() {
        reap();
        return segmentsFromSpool.get();
    }

    public long bytesServed() {
        reap();
        return bytesServed.get();
    }

    /** The newest segment handed to the server, if any. */
    public Optional<WalSegmentName> newestServed() {
        reap();
        return Optional.ofNullable(newestServed.get());
    }

    /**
     * Counts what the server took from the spool since the last call, and fetches further ahead of it.
     * Cheap (a file check per spooled segment), so the {@link WalServer} runs it every few milliseconds.
     */
    public void reap() {
        if (spool.isEmpty() || closed) {
            return;
        }
        for (Map.Entry<WalSegmentName, CompletableFuture<Load>> e : cache.entrySet()) {
            WalSegmentName segment = e.getKey();
            if (e.getValue().getNow(null) instanceof Load.Spooled spooled && !spool.get().holds(segment.toString())
                    && cache.remove(segment, e.getValue())) {
                served(segment, spooled.bytes());
                segmentsFromSpool.incrementAndGet();
                reachedSegmentNo.accumulateAndGet(segment.segmentNo(), Math::max);
                schedulePrefetch(segment);
            }
        }
    }

    /**
     * Starts fetching from the first segment recovery will ask for (the backup's start), before the server
     * runs: with a spool, the first segments wait there by the time it asks.
     */
    public void prefetchFrom(WalSegmentName first) {
        WalSegmentName next = first;
        for (int i = 0; i < Math.max(1, prefetch); i++) {
            cached(next);
            next = next.next();
        }
    }

    /** Answers the server's request for {@code fileName} (what {@code restore_command} gets as {@code %f}). */
    public WalAnswer fetch(String fileName) {
        String failed = failure.get();
        if (failed != null) {
            return new WalAnswer.Failed(failed);
        }
        var history = HISTORY.matcher(fileName);
        if (history.matches()) {
            return history(fileName, Long.parseLong(history.group(1), 16));
        }
        WalSegmentName segment;
        try {
            segment = WalSegmentName.parse(fileName, layout.walSegmentSize());
        } catch (IllegalArgumentException e) {
            // .partial, .backup or anything else: the archive keeps no such file
            return new WalAnswer.NotFound(fileName);
        }
        reap();
        reachedSegmentNo.accumulateAndGet(segment.segmentNo(), Math::max);
        Load load = cached(segment).join();
        if (load instanceof Load.Spooled spooled) {
            // Spooled after the server's rename missed it: hand it over here instead.
            load = takeBack(segment, spooled);
        }
        if (load instanceof Load.Absent) {
            // Looked for ahead of time: the archive may have grown since (the source keeps streaming).
            cache.remove(segment);
            load = cached(segment).join();
        }
        if (load instanceof Load.Loaded loaded) {
            schedulePrefetch(segment);
            served(segment, loaded.bytes().length);
            return new WalAnswer.Found(fileName, loaded.bytes(), loaded.key());
        }
        if (load instanceof Load.Broken broken) {
            return fail(broken.reason());
        }
        if (required.contains(segment)) {
            return fail("WAL segment " + layout.walSegment(segment) + " (or its partial) of bucket " + store.bucket()
                    + " was stored when the restore began and is missing now");
        }
        return new WalAnswer.NotFound(fileName);
    }

    /** Drops what is cached and empties the spool; pending fetches finish into nothing. */
    public void close() {
        closed = true;
        cache.clear();
        spool.ifPresent(WalSession::clearQuietly);
    }

    private void served(WalSegmentName segment, long bytes) {
        segmentsServed.incrementAndGet();
        bytesServed.addAndGet(bytes);
        newestServed.accumulateAndGet(segment, (a, b) -> a == null || b.segmentNo() > a.segmentNo()
                || (b.segmentNo() == a.segmentNo() && b.timeline() > a.timeline()) ? b : a);
    }

    /** The spooled segment's bytes; loaded again if the server took it from the spool and now asks again. */
    private Load takeBack(WalSegmentName segment, Load.Spooled spooled) {
        cache.remove(segment); // first, so reap() cannot count the emptied spool file as a take by the server
        try {
            Optional<byte[]> bytes = spool.orElseThrow().take(segment.toString());
            if (bytes.isPresent() && bytes.get().length == spooled.bytes()) {
                Load loaded = new Load.Loaded(bytes.get(), spooled.key(), false);
                cache.put(segment, CompletableFuture.completedFuture(loaded));
                return loaded;
            }
        } catch (IOException e) {
            LOG.warn("restore {}: cannot take {} back from {}: {}; reading it again", restoreId, segment, spool.get(), e.toString());
        }
        return cached(segment).join(); // not ahead of recovery any more, so kept in memory this time
    }

    /** Writes a complete segment ahead of recovery to the spool; keeps it in memory if that fails. */
    private Load spoolIfAhead(WalSegmentName segment, Load load) {
        if (spool.isEmpty() || closed || !(load instanceof Load.Loaded loaded) || loaded.partial()
                || segment.segmentNo() <= reachedSegmentNo.get()) {
            return load;
        }
        try {
            spool.get().put(segment.toString(), loaded.bytes());
            if (closed) {
                spool.get().discard(segment.toString());
            }
            return new Load.Spooled(loaded.key(), loaded.bytes().length);
        } catch (IOException e) {
            LOG.warn("restore {}: cannot spool {} to {}: {}; serving it over HTTP", restoreId, segment, spool.get(), e.toString());
            return load;
        }
    }

    /** Forgets a cached segment behind recovery; a spooled one the server took counts as served. */
    private void evict(WalSegmentName segment) {
        CompletableFuture<Load> f = cache.remove(segment);
        if (f != null && f.getNow(null) instanceof Load.Spooled spooled) {
            if (spool.get().holds(segment.toString())) {
                discardQuietly(segment);
            } else {
                served(segment, spooled.bytes());
                segmentsFromSpool.incrementAndGet();
            }
        }
    }

    private void discardQuietly(WalSegmentName segment) {
        try {
            spool.orElseThrow().discard(segment.toString());
        } catch (IOException e) {
            LOG.debug("restore {}: could not remove {} from the spool: {}", restoreId, segment, e.toString());
        }
    }

    private static void clearQuietly(WalSpool spool) {
        try {
            spool.clear();
        } catch (IOException e) {
            LOG.warn("could not empty {}: {}", spool, e.toString());
        }
    }

    private WalAnswer history(String fileName, long timeline) {
        if (timeline < 1) {
            return new WalAnswer.NotFound(fileName);
        }
        String key = layout.timelineHistory(timeline);
        try {
            return new WalAnswer.Found(fileName, store.getVerified(key), key);
        } catch (NoSuchObjectException e) {
            return new WalAnswer.NotFound(fileName);
        } catch (ChecksumMismatchException e) {
            return fail("timeline history " + key + " of bucket " + store.bucket() + " does not match its recorded sha256");
        } catch (StorageException e) {
            return fail("cannot read timeline history " + key + " of bucket " + store.bucket() + ": " + e.getMessage());
        }
    }

    private WalAnswer.Failed fail(String reason) {
        if (failure.compareAndSet(null, reason)) {
            LOG.error("restore {}: {}", restoreId, reason);
        }
        return new WalAnswer.Failed(failure.get());
    }

    private CompletableFuture<Load> cached(WalSegmentName segment) {
        return cache.computeIfAbsent(segment, s -> CompletableFuture.supplyAsync(() -> spoolIfAhead(s, load(s)), executor));
    }

    private void schedulePrefetch(WalSegmentName served) {
        // Keep what lies ahead (and the segment just served: the server may ask for it again).
        for (WalSegmentName s : cache.keySet()) {
            if (s.segmentNo() < served.segmentNo() || (s.segmentNo() == served.segmentNo() && !s.equals(served))) {
                evict(s);
            }
        }
        WalSegmentName next = served;
        for (int i = 0; i < prefetch; i++) {
            next = next.next();
            cached(next);
        }
    }

    private Load load(WalSegmentName segment) {
        try {
            for (int attempt = 1; ; attempt++) {
                Optional<Load> load = loadOnce(segment);
                if (load.isPresent()) {
                    return load.get();
                }
                if (attempt >= REPLACED_RETRIES) {
                    return new Load.Broken("WAL segment " + segment + " of bucket " + store.bucket()
                            + " kept changing while it was read (" + attempt + " attempts)");
                }
            }
        } catch (StorageException e) {
            return new Load.Broken("cannot read WAL segment " + segment + " from bucket " + store.bucket()
                    + (e.key().map(k -> " (" + k + ")").orElse("")) + ": " + e.getMessage());
        } catch (RuntimeException e) {
            return new Load.Broken("cannot serve WAL segment " + segment + " from bucket " + store.bucket() + ": " + e);
        }
    }

    /** Empty when the object changed under the read (a partial replaced by a flush): try again. */
    private Optional<Load> loadOnce(WalSegmentName segment) {
        String completeKey = layout.walSegment(segment);
        Optional<StoredObject> head = store.head(completeKey);
        String key = completeKey;
        boolean partial = false;
        if (head.isEmpty()) {
            key = layout.walPartial(segment);
            head = store.head(key);
            partial = true;
            if (head.isEmpty()) {
                return Optional.of(new Load.Absent());
            }
        }
        StoredObject described = head.get();
        if (described.sha256().isEmpty()) {
            return Optional.of(new Load.Broken("WAL object " + key + " of bucket " + store.bucket() + " has no recorded sha256"));
        }
        byte[] compressed;
        try {
            compressed = store.get(key);
        } catch (NoSuchObjectException e) {
            return Optional.empty(); // the partial was replaced by its complete segment meanwhile
        }
        Sha256 actual = Sha256.of(compressed);
        if (!actual.equals(described.requireSha256())) {
            Optional<StoredObject> again = store.head(key);
            if (again.isEmpty() || !again.get().sha256().equals(described.sha256())) {
                return Optional.empty(); // replaced between the HEAD and the GET
            }
            return Optional.of(new Load.Broken("checksum mismatch in WAL object " + key + " of bucket " + store.bucket()
                    + ": recorded sha256 " + described.requireSha256() + ", read " + actual));
        }
        WalObjectMetadata meta;
        try {
            meta = WalObjectMetadata.from(described);
        } catch (IllegalArgumentException e) {
            return Optional.of(new Load.Broken(e.getMessage()));
        }
        long rawBytes = meta.rawBytes();
        if (!meta.startLsn().equals(segment.startLsn()) || rawBytes <= 0 || rawBytes > segment.segmentSize()
                || (!partial && rawBytes != segment.segmentSize())) {
            return Optional.of(new Load.Broken("WAL object " + key + " of bucket " + store.bucket() + " claims to hold "
                    + meta.startLsn() + ".." + meta.endLsn() + ", which does not fit segment " + segment));
        }
        byte[] raw;
        try {
            raw = Zstd.decompress(compressed, (int) rawBytes);
        } catch (RuntimeException e) {
            return Optional.of(new Load.Broken("WAL object " + key + " of bucket " + store.bucket() + " does not decompress: " + e.getMessage()));
        }
        if (raw.length != rawBytes || !Sha256.of(raw).equals(meta.rawSha256())) {
            return Optional.of(new Load.Broken("checksum mismatch in the WAL of " + key + " of bucket " + store.bucket()
                    + " after decompression (recorded raw sha256 " + meta.rawSha256() + ")"));
        }
        if (partial) {
            byte[] padded = new byte[(int) segment.segmentSize()];
            System.arraycopy(raw, 0, padded, 0, raw.length);
            raw = padded;
        }
        return Optional.of(new Load.Loaded(raw, key, partial));
    }
}
