package io.tideline.archiver.wal;

import com.github.luben.zstd.Zstd;
import io.tideline.core.storage.BucketLayout;
import io.tideline.core.storage.NoSuchObjectException;
import io.tideline.core.storage.ObjectConflictException;
import io.tideline.core.storage.ObjectStore;
import io.tideline.core.storage.Sha256;
import io.tideline.core.storage.StoredObject;
import io.tideline.core.storage.WalObjectMetadata;
import io.tideline.core.wal.Lsn;
import io.tideline.core.wal.WalSegmentName;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import java.time.Instant;
import java.util.Optional;

/**
 * Writes one instance's WAL objects, already compressed ({@link CompressedSegment}: zstd frames with
 * content checksums), with the WAL range, the uncompressed sha256 and the millisecond {@code stored-at}
 * in metadata ({@link WalObjectMetadata}), and returns only what the store confirmed. The stamp is
 * taken just before the PUT, when every byte of the object is in hand: the bucket's readers take it as
 * the upper bound of the commit times the object holds, in place of the store's whole-second
 * Last-Modified.
 *
 * <ul>
 *   <li>A complete segment is written idempotently: if the same segment is stored already with the
 *       same WAL (same uncompressed sha256, even if compressed differently), that is success;
 *       different WAL under the name is a {@link WalConflictException} and nothing is overwritten.</li>
 *   <li>A partial replaces the previous partial of its segment.</li>
 *   <li>A history file is never overwritten either.</li>
 * </ul>
 */
final class WalObjectWriter {

    private final ObjectStore store;
    private final BucketLayout layout;
    private final Clock clock;

    WalObjectWriter(ObjectStore store, BucketLayout layout, Clock clock) {
        this.store = store;
        this.layout = layout;
        this.clock = clock;
    }

    BucketLayout layout() {
        return layout;
    }

    ObjectStore store() {
        return store;
    }

    /**
     * @param covered the moment up to which the segment holds every commit ({@link CommitHorizon}), recorded
     *                as the object's {@code stored-at}; empty when not known (then readers fall back to the
     *                store's Last-Modified)
     */
    StoredWalObject storeComplete(WalSegmentName segment, CompressedSegment.Sealed wal, Optional<Instant> covered) {
        if (wal.rawLength() != layout.walSegmentSize()) {
            throw new IllegalArgumentException("segment " + segment + " has " + wal.rawLength() + " bytes, not " + layout.walSegmentSize());
        }
        String key = layout.walSegment(segment);
        WalObjectMetadata meta = metadata(segment.startLsn(), segment.endLsn(), wal.rawSha256(), covered);
        StoredObject stored;
        try {
            stored = store.putIfAbsentOrSame(key, wal.compressed(), meta.toMap());
        } catch (ObjectConflictException e) {
            stored = sameWalOrConflict(key, wal.rawSha256(), e);
        }
        return new StoredWalObject(key, segment, segment.endLsn(), wal.rawSha256(), stored.size(), clock.instant(), false,
                meta.storedAt());
    }

    /** The object already stored holds the same WAL, compressed differently (another zstd version)? */
    private StoredObject sameWalOrConflict(String key, Sha256 raw, ObjectConflictException conflict) {
        Optional<StoredObject> existing = store.head(key);
        if (existing.isPresent()) {
            try {
                if (WalObjectMetadata.from(existing.get()).rawSha256().equals(raw)) {
                    return existing.get();
                }
            } catch (IllegalArgumentException e) {
                // no WAL metadata: not ours, so not the same
            }
        }
        throw new WalConflictException("the bucket holds different WAL under " + key + " than the server sent "
                + "(uncompressed sha256 " + raw + "); it is kept as it is — check that the bucket belongs to this server", conflict);
    }

    /** As {@link #storeComplete}, for the growing segment's bytes so far. */
    StoredWalObject storePartial(WalSegmentName segment, CompressedSegment.Sealed wal, Optional<Instant> covered) {
        if (wal.rawLength() <= 0 || wal.rawLength() >= layout.walSegmentSize()) {
            throw new IllegalArgumentException("a partial of " + segment + " holds 1.." + (layout.walSegmentSize() - 1)
                    + " bytes, not " + wal.rawLength());
        }
        String key = layout.walPartial(segment);
        WalObjectMetadata meta = metadata(segment.startLsn(), segment.startLsn().plus(wal.rawLength()), wal.rawSha256(), covered);
        StoredObject stored = store.put(key, wal.compressed(), meta.toMap());
        return new StoredWalObject(key, segment, meta.endLsn(), wal.rawSha256(), stored.size(), clock.instant(), true,
                meta.storedAt());
    }

    private static WalObjectMetadata metadata(Lsn start, Lsn end, Sha256 raw, Optional<Instant> covered) {
        return covered.map(at -> WalObjectMetadata.written(start, end, raw, at)).orElseGet(() -> new WalObjectMetadata(start, end, raw));
    }

    /**
     * What the object stored right before {@code plan}'s start holds ({@code stored-at}), the floor for
     * what this stream's objects claim: the partial being continued, else the previous complete segment.
     */
    Optional<Instant> coveredBefore(StreamPlan plan) {
        WalSegmentName first = plan.firstSegment(layout.walSegmentSize());
        String key;
        if (plan.partialStored()) {
            key = layout.walPartial(first);
        } else if (first.segmentNo() > 0) {
            key = layout.walSegment(first.previous());
        } else {
            return Optional.empty();
        }
        try {
            return store.head(key).flatMap(o -> WalObjectMetadata.from(o).storedAt());
        } catch (IllegalArgumentException e) {
            return Optional.empty(); // not our metadata: claim nothing from it
        }
    }

    /** A stored partial read back: its compressed frames and the WAL they hold. */
    record Partial(byte[] compressed, byte[] raw) {
    }

    /**
     * The segment's stored partial, checked (the object's sha256, then the uncompressed bytes'
     * sha256 and length against its metadata); fails if it does not reach exactly {@code end}.
     */
    Partial loadPartial(WalSegmentName segment, Lsn end) {
        String key = layout.walPartial(segment);
        StoredObject object = store.head(key).orElseThrow(() -> new NoSuchObjectException(store.bucket(), key, null));
        WalObjectMetadata meta = WalObjectMetadata.from(object);
        if (!meta.endLsn().equals(end)) {
            // changed under us; the next session starts over from what the bucket holds
            throw new IllegalStateException("the partial " + key + " reaches " + meta.endLsn() + ", expected " + end);
        }
        byte[] compressed = store.getVerified(key);
        byte[] raw = Zstd.decompress(compressed, (int) meta.rawBytes());
        if (raw.length != meta.rawBytes() || !Sha256.of(raw).equals(meta.rawSha256())) {
            throw new IllegalStateException("the partial " + key + " does not hold the WAL its metadata describes");
        }
        return new Partial(compressed, raw);
    }

    void deletePartial(WalSegmentName segment) {
        store.delete(layout.walPartial(segment));
    }

    /** Stores a timeline history file as the server has it; the same content again is fine, other content is a conflict. */
    void storeHistory(long timeline, String content) {
        String key = layout.timelineHistory(timeline);
        try {
            store.putIfAbsentOrSame(key, content.getBytes(StandardCharsets.UTF_8), Map.of());
        } catch (ObjectConflictException e) {
            throw new WalConflictException("the bucket holds a different history of timeline " + timeline + " under " + key
                    + " than the server has; it is kept as it is — check that the bucket belongs to this server", e);
        }
    }
}
