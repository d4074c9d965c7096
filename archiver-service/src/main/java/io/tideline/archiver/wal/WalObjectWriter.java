package io.tideline.archiver.wal;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
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
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;

/**
 * Writes one instance's WAL objects: compresses (zstd, with the frame's content checksum), records
 * the WAL range and the uncompressed sha256 in metadata ({@link WalObjectMetadata}) and returns only
 * what the store confirmed. Not thread-safe (it keeps one compression context): one per stream.
 *
 * <ul>
 *   <li>A complete segment is written idempotently: if the same segment is stored already with the
 *       same WAL (same uncompressed sha256, even if compressed differently), that is success;
 *       different WAL under the name is a {@link WalConflictException} and nothing is overwritten.</li>
 *   <li>A partial replaces the previous partial of its segment.</li>
 *   <li>A history file is never overwritten either.</li>
 * </ul>
 */
final class WalObjectWriter implements AutoCloseable {

    private final ObjectStore store;
    private final BucketLayout layout;
    private final Clock clock;
    private final ZstdCompressCtx zstd;

    WalObjectWriter(ObjectStore store, BucketLayout layout, int compressionLevel, Clock clock) {
        this.store = store;
        this.layout = layout;
        this.clock = clock;
        this.zstd = new ZstdCompressCtx().setLevel(compressionLevel).setChecksum(true).setContentSize(true);
    }

    BucketLayout layout() {
        return layout;
    }

    StoredWalObject storeComplete(WalSegmentName segment, byte[] bytes) {
        if (bytes.length != layout.walSegmentSize()) {
            throw new IllegalArgumentException("segment " + segment + " has " + bytes.length + " bytes, not " + layout.walSegmentSize());
        }
        String key = layout.walSegment(segment);
        Sha256 raw = Sha256.of(bytes);
        WalObjectMetadata meta = new WalObjectMetadata(segment.startLsn(), segment.endLsn(), raw);
        byte[] compressed = compress(bytes, bytes.length);
        StoredObject stored;
        try {
            stored = store.putIfAbsentOrSame(key, compressed, meta.toMap());
        } catch (ObjectConflictException e) {
            stored = sameWalOrConflict(key, raw, e);
        }
        return new StoredWalObject(key, segment, segment.endLsn(), raw, stored.size(), clock.instant(), false);
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

    StoredWalObject storePartial(WalSegmentName segment, byte[] bytes, int length) {
        if (length <= 0 || length >= layout.walSegmentSize()) {
            throw new IllegalArgumentException("a partial of " + segment + " holds 1.." + (layout.walSegmentSize() - 1)
                    + " bytes, not " + length);
        }
        String key = layout.walPartial(segment);
        Sha256 raw = Sha256.of(bytes, 0, length);
        WalObjectMetadata meta = new WalObjectMetadata(segment.startLsn(), segment.startLsn().plus(length), raw);
        StoredObject stored = store.put(key, compress(bytes, length), meta.toMap());
        return new StoredWalObject(key, segment, meta.endLsn(), raw, stored.size(), clock.instant(), true);
    }

    /**
     * The WAL of the segment's stored partial, checked (the object's sha256, then the uncompressed
     * bytes' sha256 and length against its metadata); fails if it does not reach exactly {@code end}.
     */
    byte[] loadPartial(WalSegmentName segment, Lsn end) {
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
            throw new WalConflictException("the partial " + key + " does not hold the WAL its metadata describes");
        }
        return raw;
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

    private byte[] compress(byte[] bytes, int length) {
        byte[] out = new byte[(int) Zstd.compressBound(length)];
        int size = zstd.compressByteArray(out, 0, out.length, bytes, 0, length);
        return Arrays.copyOf(out, size);
    }

    @Override
    public void close() {
        zstd.close();
    }
}
