package io.tideline.restore;

import io.tideline.core.restore.RestoreTarget;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tideline.core.ids.BackupId;
import io.tideline.core.ids.InstanceId;
import io.tideline.core.ids.RestoreId;
import io.tideline.core.registry.RegisteredInstance;
import io.tideline.core.secrets.SecretRef;
import io.tideline.core.storage.BucketLayout;
import io.tideline.core.wal.Lsn;
import io.tideline.core.wal.WalSegmentName;
import io.tideline.core.window.BackupEntry;
import io.tideline.core.window.BucketInventory;
import io.tideline.core.window.ListedObject;
import io.tideline.core.window.WalEntry;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Every rejection kind, with its reason, and the backup chosen for what is accepted. */
class RestoreValidatorTest {

    private static final long SEG = WalSegmentName.DEFAULT_SEGMENT_SIZE;
    private static final BucketLayout LAYOUT = BucketLayout.DEFAULT;
    private static final Instant T0 = Instant.parse("2026-11-20T10:00:00Z");
    private static final Instant NOW = T0.plusSeconds(3600);
    private static final InstanceId SOURCE = InstanceId.of("orders");

    private final Map<InstanceId, RegisteredInstance> registered = new HashMap<>(Map.of(SOURCE, instance(SOURCE, "orders")));
    private final Map<String, String> holders = new HashMap<>();
    private BucketInventory bucket = twoBackupsAndAPartial();

    // ---- rejections ------------------------------------------------------------------------------

    @Test
    void unknownOrRemovedInstance() {
        assertRejected(request("invoices", "latest"), "unknown instance 'invoices'", "removed");
        assertRejected(request("Not An Id!", "latest"), "unknown instance 'Not An Id!'");
    }

    @Test
    void malformedOrAmbiguousTime() {
        assertRejected(request("orders", "half past ten"), "not a time Tideline understands");
        assertRejected(request("orders", "2026-11-20T10:30:00"), "no time zone", "2026-11-20T10:30:00Z");
    }

    @Test
    void invalidOrTakenName() {
        assertRejected(request("orders", "latest", "Orders Copy"), "'Orders Copy' cannot name an instance");
        holders.put("orders-copy", "registered instance orders-copy");
        assertRejected(request("orders", "latest", "orders-copy"), "'orders-copy' is already taken by registered instance orders-copy");
        assertRejected(request("orders", "latest", "orders"), "already taken");
    }

    @Test
    void nothingRestorableYet() {
        bucket = BucketInventory.empty();
        assertRejected(request("orders", "latest"), "nothing restorable yet", "no complete base backup");

        BackupEntry withoutWal = backup("aaaa", 1, lsn(1, 0x28), lsn(1, 0x138), 0, 1);
        bucket = BucketInventory.builder().backup(withoutWal).build();
        assertRejected(request("orders", "latest"), "nothing restorable yet", withoutWal.id().value(), "is not all stored");
    }

    @Test
    void targetBeforeTheWindow() {
        assertRejected(request("orders", T0.toString()), "is before the restorable window of orders, which starts at "
                + T0.plusSeconds(60), "restorable: [" + T0.plusSeconds(60));
    }

    @Test
    void targetAfterTheNewestStoredWal() {
        assertRejected(request("orders", T0.plusSeconds(26 * 60).toString()), "is after the newest stored WAL of orders ("
                + T0.plusSeconds(25 * 60) + ")", "'latest'");
        assertRejected(request("orders", NOW.plusSeconds(60).toString()), "it is in the future");
    }

    @Test
    void targetInAWalGap() {
        // segments 1, 2 | 3 missing | 4, 5 — and a backup after the gap
        bucket = BucketInventory.builder()
                .backup(backup("aaaa", 1, lsn(1, 0x28), lsn(1, 0x138), 0, 1))
                .wal(complete(1, 2)).wal(complete(2, 5))
                .backup(backup("bbbb", 1, lsn(4, 0x28), lsn(4, 0x138), 20, 21))
                .wal(complete(4, 22)).wal(complete(5, 30))
                .build();
        assertRejected(request("orders", T0.plusSeconds(10 * 60).toString()), "falls in a gap",
                "[" + T0.plusSeconds(60) + ", " + T0.plusSeconds(5 * 60) + "]");
    }

    // ---- accepted --------------------------------------------------------------------------------

    @Test
    void aTimeIsRestoredFromTheNewestBackupConsistentBeforeIt() {
        RestorePlan early = accepted(request("orders", T0.plusSeconds(12 * 60).toString()));
        assertEquals("aaaa", suffix(early), "before the second backup was consistent only the first restores it");
        assertEquals(new RestoreTarget.AtTime(T0.plusSeconds(12 * 60)), early.target());

        RestorePlan atSecond = accepted(request("orders", T0.plusSeconds(15 * 60).toString()));
        assertEquals("bbbb", suffix(atSecond), "a backup consistent exactly at the target is used");

        RestorePlan viaOffset = accepted(request("orders", "2026-11-20T12:20:00+02:00"));
        assertEquals(new RestoreTarget.AtTime(T0.plusSeconds(20 * 60)), viaOffset.target());
        assertEquals("bbbb", suffix(viaOffset));
    }

    @Test
    void latestUsesTheNewestBackupAndNamesTheWalItNeeds() {
        RestorePlan plan = accepted(request("orders", "latest"));
        assertInstanceOf(RestoreTarget.Latest.class, plan.target());
        assertEquals("bbbb", suffix(plan));
        assertEquals(Set.of(name(3), name(4)), plan.requiredWal(), "the WAL from the backup's start to the partial");
        assertEquals(SEG, plan.layout().walSegmentSize());
        assertEquals(lsn(4, 0x8000), plan.backup().walReachedLsn());
    }

    @Test
    void theNewInstanceIsNamedAsAskedOrAfterSourceAndRestore() {
        RestorePlan named = accepted(request("orders", "latest", "orders-before-delete"));
        assertEquals(InstanceId.of("orders-before-delete"), named.newInstance());
        assertEquals("orders-before-delete", named.newName());

        RestorePlan derived = accepted(new RestoreRequest(RestoreId.of("3F9A2C1E-77aa-4bcd-8e00-000000000000"), "orders",
                "latest", Optional.empty(), "alice", NOW));
        assertEquals(InstanceId.of("orders-r-3f9a2c1e"), derived.newInstance());

        InstanceId longSource = InstanceId.of("a-very-long-instance-name-of-forty-chars");
        registered.put(longSource, instance(longSource, "long"));
        RestorePlan shortened = accepted(new RestoreRequest(RestoreId.of("0123456789"), longSource.value(), "latest",
                Optional.empty(), "alice", NOW));
        assertEquals("a-very-long-instance-name-of-r-01234567", shortened.newInstance().value());
        assertTrue(shortened.newInstance().value().length() <= 40);
    }

    // ---- fixture ---------------------------------------------------------------------------------

    /**
     * Backup aaaa (segment 1, consistent at T0+1 min), backup bbbb (segment 3, consistent at T0+15 min);
     * complete segments 1, 2, 3 stored at +2, +10, +20 min; segment 4 partial, stored at +25 min.
     */
    private static BucketInventory twoBackupsAndAPartial() {
        return BucketInventory.builder()
                .backup(backup("aaaa", 1, lsn(1, 0x28), lsn(1, 0x138), 0, 1))
                .backup(backup("bbbb", 1, lsn(3, 0x28), lsn(3, 0x100), 14, 15))
                .wal(complete(1, 2)).wal(complete(2, 10)).wal(complete(3, 20))
                .wal(WalEntry.partial(name(4), lsn(4, 0x8000), T0.plusSeconds(25 * 60),
                        new ListedObject(LAYOUT.walPartial(name(4)), 100, T0.plusSeconds(25 * 60))))
                .build();
    }

    private RestorePlan accepted(RestoreRequest request) {
        RestoreValidator.Decision d = validator().validate(request, NOW);
        return assertInstanceOf(RestoreValidator.Decision.Accept.class, d, d.toString()).plan();
    }

    private void assertRejected(RestoreRequest request, String... reasonParts) {
        RestoreValidator.Decision d = validator().validate(request, NOW);
        String reason = assertInstanceOf(RestoreValidator.Decision.Reject.class, d, d.toString()).reason();
        for (String part : reasonParts) {
            assertTrue(reason.contains(part), "'" + part + "' not in: " + reason);
        }
    }

    private RestoreValidator validator() {
        RestoreValidator.Fleet fleet = new RestoreValidator.Fleet() {
            @Override
            public Optional<RegisteredInstance> registered(InstanceId id) {
                return Optional.ofNullable(registered.get(id));
            }

            @Override
            public Optional<String> holderOf(InstanceId id, String name) {
                if (registered.containsKey(id)) {
                    return Optional.of("registered instance " + id);
                }
                return Optional.ofNullable(holders.get(name));
            }
        };
        return new RestoreValidator(fleet, source -> bucket);
    }

    private static RestoreRequest request(String source, String target) {
        return new RestoreRequest(RestoreId.of("4d2b7e10-0000-4000-8000-000000000001"), source, target, Optional.empty(), "alice", NOW);
    }

    private static RestoreRequest request(String source, String target, String name) {
        return new RestoreRequest(RestoreId.of("4d2b7e10-0000-4000-8000-000000000001"), source, target, Optional.of(name), "alice", NOW);
    }

    private static String suffix(RestorePlan plan) {
        String id = plan.backupEntry().id().value();
        return id.substring(id.indexOf('-') + 1);
    }

    private static RegisteredInstance instance(InstanceId id, String name) {
        return new RegisteredInstance(id, name, "127.0.0.1", 5432, "postgres", "tideline_admin",
                SecretRef.of("instances/" + id + "/admin"), "tideline_replicator", SecretRef.of("instances/" + id + "/replicator"),
                BucketLayout.bucketName(id), SecretRef.of("instances/" + id + "/s3-access-key"),
                SecretRef.of("instances/" + id + "/s3-secret-key"), 15, SEG, Optional.empty(), Optional.empty(),
                Optional.empty(), T0);
    }

    private static BackupEntry backup(String suffix, long timeline, Lsn start, Lsn end, long startMinute, long finishMinute) {
        BackupId id = BackupId.of(T0.plusSeconds(startMinute * 60), suffix);
        Instant finished = T0.plusSeconds(finishMinute * 60);
        return new BackupEntry(id, timeline, start, end, T0.plusSeconds(startMinute * 60), finished,
                new ListedObject(LAYOUT.backupManifest(id), 500, finished),
                List.of(new ListedObject(LAYOUT.backupPart(id, 1), 1000, finished)));
    }

    private static WalEntry complete(long segment, long storedMinute) {
        Instant at = T0.plusSeconds(storedMinute * 60);
        return WalEntry.complete(name(segment), at, new ListedObject(LAYOUT.walSegment(name(segment)), 100, at));
    }

    private static WalSegmentName name(long segment) {
        return new WalSegmentName(1, segment, SEG);
    }

    private static Lsn lsn(long segment, long offset) {
        return new Lsn(segment * SEG + offset);
    }
}
