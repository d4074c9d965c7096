package io.tideline.core.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tideline.core.ids.InstanceId;
import io.tideline.core.storage.BucketLayout;
import io.tideline.core.wal.WalSegmentName;
import io.tideline.core.window.BucketInventory;
import io.tideline.core.window.ListedObject;
import io.tideline.core.window.WalEntry;
import io.tideline.schemas.ObjectCorrupted;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Issue 15: damage remembered from the log applies exactly while the damaged version is listed. */
class KnownCorruptionsTest {

    private static final InstanceId SHOP = InstanceId.of("shop");
    private static final WalSegmentName SEG = new WalSegmentName(1, 4, WalSegmentName.DEFAULT_SEGMENT_SIZE);
    private static final String KEY = BucketLayout.DEFAULT.walSegment(SEG);
    private static final Instant WRITTEN = Instant.parse("2026-12-07T10:00:00Z");

    private static BucketInventory listing(long size, Instant lastModified) {
        return BucketInventory.builder().wal(WalEntry.complete(SEG, lastModified, new ListedObject(KEY, size, lastModified))).build();
    }

    private static ObjectCorrupted event(String instance, long size, Instant lastModified) {
        return ObjectCorrupted.newBuilder().setEventId(UUID.randomUUID()).setInstanceId(instance).setOccurredAt(WRITTEN)
                .setKey(KEY).setObjectSize(size).setObjectLastModified(lastModified).setReason("bytes differ")
                .setCutsWindowEnd(true).setFoundBy(CorruptionEvents.CLI).build();
    }

    @Test
    void theDamagedVersionStillListedIsDamaged() {
        KnownCorruptions known = new KnownCorruptions();
        known.apply(event("shop", 1000, WRITTEN.plusMillis(250)));
        assertEquals(Map.of(KEY, "bytes differ"), known.damageIn(SHOP, listing(1000, WRITTEN)).reasons(),
                "the listing's whole second and the event's milliseconds name the same version");
    }

    @Test
    void aGoneOrReplacedObjectIsNoLongerDamagedAndOtherInstancesNeverWere() {
        KnownCorruptions known = new KnownCorruptions();
        known.apply(event("shop", 1000, WRITTEN));
        assertTrue(known.damageIn(SHOP, BucketInventory.empty()).isEmpty(), "expired");
        assertTrue(known.damageIn(SHOP, listing(1000, WRITTEN.plusSeconds(5))).isEmpty(), "re-uploaded");
        assertTrue(known.damageIn(SHOP, listing(1200, WRITTEN)).isEmpty(), "replaced by a longer object");
        assertTrue(known.damageIn(InstanceId.of("other"), listing(1000, WRITTEN)).isEmpty());
    }
}
