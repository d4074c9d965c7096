package io.tideline.core.storage;

import io.tideline.core.wal.Lsn;
import java.util.Map;
import java.util.Objects;

/**
 * What a stored WAL object ({@code <segment>.zst} or {@code <segment>.partial.zst}) says about its
 * content in user metadata, besides the store's own {@value ObjectStore#SHA256_METADATA} of the
 * compressed bytes: the WAL range it holds and the sha256 of those bytes uncompressed, so that a
 * reader can check the WAL itself after decompression and know how far a partial segment reaches
 * without downloading it.
 *
 * @param startLsn  the first byte held (always the segment's start)
 * @param endLsn    the first byte NOT held: the segment's end for a complete one, less for a partial
 * @param rawSha256 sha256 of the uncompressed bytes {@code [startLsn, endLsn)}
 */
public record WalObjectMetadata(Lsn startLsn, Lsn endLsn, Sha256 rawSha256) {

    public static final String START_LSN = "start-lsn";
    public static final String END_LSN = "end-lsn";
    public static final String RAW_SHA256 = "raw-sha256";

    public WalObjectMetadata {
        Objects.requireNonNull(startLsn, "startLsn");
        Objects.requireNonNull(endLsn, "endLsn");
        Objects.requireNonNull(rawSha256, "rawSha256");
        if (endLsn.isBefore(startLsn)) {
            throw new IllegalArgumentException("WAL object ends (" + endLsn + ") before it starts (" + startLsn + ")");
        }
    }

    /** Uncompressed bytes held. */
    public long rawBytes() {
        return endLsn.bytesSince(startLsn);
    }

    public Map<String, String> toMap() {
        return Map.of(START_LSN, startLsn.toString(), END_LSN, endLsn.toString(), RAW_SHA256, rawSha256.hex());
    }

    /** Reads the metadata of a WAL object; fails naming the key when an entry is missing or malformed. */
    public static WalObjectMetadata from(StoredObject object) {
        Map<String, String> m = object.metadata();
        try {
            return new WalObjectMetadata(Lsn.parse(require(m, START_LSN)), Lsn.parse(require(m, END_LSN)),
                    Sha256.parse(require(m, RAW_SHA256)));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("WAL object " + object.key() + " has no valid WAL metadata: " + e.getMessage(), e);
        }
    }

    private static String require(Map<String, String> metadata, String key) {
        String value = metadata.get(key);
        if (value == null) {
            throw new IllegalArgumentException("metadata '" + key + "' is missing");
        }
        return value;
    }
}
