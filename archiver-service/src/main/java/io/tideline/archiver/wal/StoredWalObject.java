package io.tideline.archiver.wal;

import io.tideline.core.storage.Sha256;
import io.tideline.core.wal.Lsn;
import io.tideline.core.wal.WalSegmentName;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

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
 * @param coveredUntil the primary's time up to which it holds every commit (its {@code stored-at}
 *                    metadata, {@link CommitHorizon}); empty when not known
 */
record StoredWalObject(String key, WalSegmentName segment, Lsn end, Sha256 rawSha256, long storedBytes,
                       Instant storedAt, boolean partial, Optional<Instant> coveredUntil) {

    StoredWalObject {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(segment, "segment");
        Objects.requireNonNull(end, "end");
        Objects.requireNonNull(rawSha256, "rawSha256");
        Objects.requireNonNull(storedAt, "storedAt");
        Objects.requireNonNull(coveredUntil, "coveredUntil");
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
