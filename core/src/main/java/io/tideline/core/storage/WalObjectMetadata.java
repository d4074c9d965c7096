package io.tideline.core.storage;

import io.tideline.core.wal.Lsn;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What a stored WAL object ({@code <segment>.zst} or {@code <segment>.partial.zst}) says about its
 * content in user metadata, besides the store's own {@value ObjectStore#SHA256_METADATA} of the
 * compressed bytes: the WAL range it holds and the sha256 of those bytes uncompressed, so that a
 * reader can check the WAL itself after decompression and know how far a partial segment reaches
 * without downloading it; and when its writer had that WAL in hand.
 *
 * <p><b>{@value #STORED_AT}.</b> The moment up to which the object holds every commit: any commit made
 * before it lies in this object's WAL or earlier. The restorable window ends at the newest object's
 * value, so it must never be later than the truth. The archiver takes it from the primary's own clock
 * (the clock of commit timestamps), by its {@code CommitHorizon}: just before the newest commit record the
 * object holds, or for a quiet server the send time of the newest replication message whose reported WAL
 * end the object reaches, less a flush allowance — never the time of the upload, which would claim the
 * whole archive lag. Truncated to the millisecond (never later than the truth), as
 * ISO-8601 UTC ({@code 2026-11-24T10:35:23.481Z}). It replaces the store's Last-Modified (whole seconds,
 * the store's clock, the time of the upload). Objects written before the field existed have none;
 * readers then fall back to Last-Modified. A writer that finds the same WAL already stored keeps the
 * stored object, with its earlier stamp.
 *
 * @param startLsn  the first byte held (always the segment's start)
 * @param endLsn    the first byte NOT held: the segment's end for a complete one, less for a partial
 * @param rawSha256 sha256 of the uncompressed bytes {@code [startLsn, endLsn)}
 * @param storedAt  see above; whole milliseconds; empty for objects stored before it was recorded
 */
public record WalObjectMetadata(Lsn startLsn, Lsn endLsn, Sha256 rawSha256, Optional<Instant> storedAt) {

    public static final String START_LSN = "start-lsn";
    public static final String END_LSN = "end-lsn";
    public static final String RAW_SHA256 = "raw-sha256";
    public static final String STORED_AT = "stored-at";

    public WalObjectMetadata {
        Objects.requireNonNull(startLsn, "startLsn");
        Objects.requireNonNull(endLsn, "endLsn");
        Objects.requireNonNull(rawSha256, "rawSha256");
        Objects.requireNonNull(storedAt, "storedAt");
        if (endLsn.isBefore(startLsn)) {
            throw new IllegalArgumentException("WAL object ends (" + endLsn + ") before it starts (" + startLsn + ")");
        }
        storedAt.ifPresent(t -> {
            if (t.getNano() % 1_000_000 != 0) {
                // The metadata holds milliseconds; a finer value would not survive the round trip.
                throw new IllegalArgumentException("stored-at must be whole milliseconds, not " + t + " (see storedAtFor)");
            }
        });
    }

    /** The metadata of a WAL object that holds every commit made before {@code covered} (truncated to ms). */
    public static WalObjectMetadata written(Lsn startLsn, Lsn endLsn, Sha256 rawSha256, Instant covered) {
        return new WalObjectMetadata(startLsn, endLsn, rawSha256, Optional.of(storedAtFor(covered)));
    }

    /**
     * Metadata without {@value #STORED_AT}, as objects written before it existed carry: readers use the
     * store's Last-Modified for them. Writers use {@link #written}.
     */
    public WalObjectMetadata(Lsn startLsn, Lsn endLsn, Sha256 rawSha256) {
        this(startLsn, endLsn, rawSha256, Optional.empty());
    }

    /** {@code instant} truncated to the millisecond: a coverage claim may only get earlier. */
    public static Instant storedAtFor(Instant instant) {
        return instant.truncatedTo(ChronoUnit.MILLIS);
    }

    /** Uncompressed bytes held. */
    public long rawBytes() {
        return endLsn.bytesSince(startLsn);
    }

    /** This object's time: {@link #storedAt()} when recorded, else the store's whole-second Last-Modified. */
    public Instant storedAtOr(Instant lastModified) {
        return storedAt.orElse(lastModified);
    }

    public Map<String, String> toMap() {
        Map<String, String> m = new HashMap<>(Map.of(START_LSN, startLsn.toString(), END_LSN, endLsn.toString(),
                RAW_SHA256, rawSha256.hex()));
        storedAt.ifPresent(t -> m.put(STORED_AT, t.toString()));
        return Map.copyOf(m);
    }

    /** Reads the metadata of a WAL object; fails naming the key when an entry is missing or malformed. */
    public static WalObjectMetadata from(StoredObject object) {
        Map<String, String> m = object.metadata();
        try {
            return new WalObjectMetadata(Lsn.parse(require(m, START_LSN)), Lsn.parse(require(m, END_LSN)),
                    Sha256.parse(require(m, RAW_SHA256)), Optional.ofNullable(m.get(STORED_AT)).map(WalObjectMetadata::parseStoredAt));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("WAL object " + object.key() + " has no valid WAL metadata: " + e.getMessage(), e);
        }
    }

    private static Instant parseStoredAt(String text) {
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("metadata '" + STORED_AT + "' is not an ISO-8601 UTC instant: " + text, e);
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
