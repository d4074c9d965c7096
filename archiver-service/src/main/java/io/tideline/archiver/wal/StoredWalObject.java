package io.tideline.archiver.wal;

import io.tideline.core.storage.Sha256;
import io.tideline.core.wal.Lsn;
import io.tideline.core.wal.WalSegmentName;
import java.time.Instant;
import java.util.Objects;

/**
 * A WAL object the store confirmed: what {@code WalSegmentStored} reports.
 *
 * @param key         object key
 * @param segment     the segment it holds (all of it, or its beginning when {@code partial})
 * @param end         first position not held
 * @param rawSha256   sha256 of the uncompressed WAL bytes
 * @param storedBytes size of the stored (compressed) object
 * @param storedAt    when the store confirmed it (UTC)
 * @param partial     a {@code .partial.zst} of the segment being filled
 */
record StoredWalObject(String key, WalSegmentName segment, Lsn end, Sha256 rawSha256, long storedBytes,
                       Instant storedAt, boolean partial) {

    StoredWalObject {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(segment, "segment");
        Objects.requireNonNull(end, "end");
        Objects.requireNonNull(rawSha256, "rawSha256");
        Objects.requireNonNull(storedAt, "storedAt");
        if (end.isBefore(segment.startLsn()) || end.isAfter(segment.endLsn())) {
            throw new IllegalArgumentException("end " + end + " outside segment " + segment);
        }
    }

    Lsn start() {
        return segment.startLsn();
    }

    long rawBytes() {
        return end.bytesSince(segment.startLsn());
    }
}
