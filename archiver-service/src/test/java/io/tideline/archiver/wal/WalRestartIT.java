package io.tideline.archiver.wal;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.micronaut.context.ApplicationContext;
import io.tideline.core.registry.RegisteredInstance;
import io.tideline.core.storage.BucketLayout;
import io.tideline.core.wal.Lsn;
import io.tideline.testkit.FleetExtension;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 18: every stream session used to list the instance's whole {@code wal/} prefix (seven days of
 * WAL: thousands of keys, at each start of each stream). A restarted stream now lists from its slot's
 * restart point on; counted on the requests the S3 clients sent ({@link ListingCounter}).
 */
@ExtendWith({FleetExtension.class, WalTestBedExtension.class})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WalRestartIT {

    @Test
    void aRestartedStreamListsItsBucketFromTheSlotOnNotTheWholeWalPrefix(WalTestBed bed) throws Exception {
        RegisteredInstance pg = bed.createInstance("wal-restart", WalTestBed.MB);
        String bucket = BucketLayout.bucketName(pg.id());
        ApplicationContext first = bed.startArchiver(Duration.ofSeconds(1));
        Lsn end;
        try (Connection c = bed.connect(pg)) {
            WalTestBed.workload(c, 3);
            end = WalTestBed.switchWal(c);
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> !bed.slotRestart(pg).isBefore(end)); // stored, slot moved
        bed.stop(first);

        int before = ListingCounter.of(bucket).size();
        bed.startArchiver(Duration.ofSeconds(1));
        Lsn next;
        try (Connection c = bed.connect(pg)) {
            WalTestBed.workload(c, 2);
            next = WalTestBed.switchWal(c);
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> !bed.slotRestart(pg).isBefore(next)); // it resumed

        List<ListingCounter.Listing> after = ListingCounter.of(bucket).subList(before, ListingCounter.of(bucket).size());
        assertEquals(List.of(), after.stream().filter(l -> BucketLayout.WAL.equals(l.prefix()) && l.startAfter() == null).toList(),
                "no listing of the whole wal/ prefix after the restart");
        assertFalse(after.stream().noneMatch(l -> l.startAfter() != null), "it listed from its slot: " + after);
    }
}
