package io.tideline.cli.audit;

import io.tideline.core.ids.InstanceId;
import io.tideline.core.storage.ObjectStore;
import io.tideline.core.storage.ObjectStores;
import io.tideline.cli.NoAnswer;
import io.tideline.core.storage.StorageException;
import io.tideline.core.storage.StoredObject;
import io.tideline.schemas.ArtifactsExpired;
import io.tideline.schemas.WalRange;
import io.tideline.schemas.WalSegmentStored;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.avro.specific.SpecificRecord;

/**
 * Checks the log against the buckets: the last {@code WalSegmentStored} of every WAL object names
 * the sha256 (of the uncompressed WAL) that the stored object carries in its metadata. Each bucket
 * is read with its own instance's credentials, as any reader for one instance must.
 *
 * <p>Not findings: a partial object that is gone (replaced by its complete segment) or that a newer
 * flush replaced after the last event was read (its end LSN is further), WAL that retention expired
 * (per {@code ArtifactsExpired}), and instances removed from the fleet.
 */
public final class StoredWalCheck {

    public static final String CHECK = "every stored WAL object matches its event's sha256";
    /** Written by the archiver next to the store's own sha256 of the compressed bytes. */
    static final String RAW_SHA256 = "raw-sha256";
    static final String END_LSN = "end-lsn";

    /** What the check did. */
    public record Result(int objectsChecked, List<Finding> findings, List<String> skipped) {
    }

    private StoredWalCheck() {
    }

    /**
     * @param liveInstances instances still registered (their buckets exist)
     * @throws StorageException when the store does not answer at all ({@link NoAnswer#isNoAnswer}): a bucket
     *                          that cannot be read is skipped, a store that is not there ends the check
     */
    public static Result run(List<AuditEvent> chronological, Set<String> liveInstances, ObjectStores stores) {
        Map<String, AuditEvent> lastPerKey = new LinkedHashMap<>();
        Map<String, List<WalRange>> expired = new LinkedHashMap<>();
        for (AuditEvent e : chronological) {
            Optional<SpecificRecord> v = e.value();
            if (v.isPresent() && v.get() instanceof WalSegmentStored w) {
                lastPerKey.put(e.instance() + "\u0000" + w.getObjectKey(), e);
            } else if (v.isPresent() && v.get() instanceof ArtifactsExpired x) {
                expired.computeIfAbsent(e.instance(), k -> new ArrayList<>()).addAll(x.getExpiredWal());
            }
        }
        List<Finding> findings = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        Set<String> unreachable = new HashSet<>();
        int checked = 0;
        for (AuditEvent e : lastPerKey.values()) {
            String instance = e.instance();
            if (!liveInstances.contains(instance) || unreachable.contains(instance)) {
                continue;
            }
            WalSegmentStored w = (WalSegmentStored) e.value().orElseThrow();
            if (isExpired(w, expired.getOrDefault(instance, List.of()))) {
                continue;
            }
            Optional<StoredObject> object;
            try {
                ObjectStore store = stores.forInstance(InstanceId.of(instance));
                object = store.head(w.getObjectKey());
            } catch (StorageException | IllegalStateException | IllegalArgumentException e2) {
                if (e2 instanceof StorageException s && NoAnswer.isNoAnswer(s)) {
                    throw s;    // the store itself does not answer: no other bucket would either
                }
                unreachable.add(instance);
                skipped.add(instance + ": bucket not reachable from here (" + e2.getMessage() + ")");
                continue;
            }
            checked++;
            if (object.isEmpty()) {
                if (!w.getPartial()) {
                    findings.add(finding(e, "segment " + w.getSegment() + " was reported stored at " + w.getStoredAt()
                            + " but " + w.getObjectKey() + " is not in the bucket (and no expiry covers it)"));
                }
                continue;
            }
            Map<String, String> metadata = object.get().metadata();
            String stored = metadata.get(RAW_SHA256);
            if (w.getPartial() && metadata.containsKey(END_LSN) && !metadata.get(END_LSN).equals(w.getEndLsn())) {
                continue;   // a newer flush of the partial segment: its event was not in the log yet
            }
            if (stored == null) {
                findings.add(finding(e, w.getObjectKey() + " carries no " + RAW_SHA256 + " metadata"));
            } else if (!stored.equalsIgnoreCase(w.getSha256())) {
                findings.add(finding(e, w.getObjectKey() + " holds sha256 " + stored + " but its event says " + w.getSha256()));
            }
        }
        return new Result(checked, findings, skipped);
    }

    private static boolean isExpired(WalSegmentStored w, List<WalRange> expired) {
        String segment = w.getSegment().toUpperCase(java.util.Locale.ROOT);
        for (WalRange r : expired) {
            // Segment names are fixed-width hex, so text order is numeric order.
            if (r.getTimeline() == w.getTimeline()
                    && segment.compareTo(r.getFromSegment().toUpperCase(java.util.Locale.ROOT)) >= 0
                    && segment.compareTo(r.getToSegment().toUpperCase(java.util.Locale.ROOT)) <= 0) {
                return true;
            }
        }
        return false;
    }

    private static Finding finding(AuditEvent e, String message) {
        return new Finding(CHECK, e.instance(), message, e.record().position());
    }
}
