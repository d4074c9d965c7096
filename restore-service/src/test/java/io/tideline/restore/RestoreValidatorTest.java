package io.tideline.restore;

import static io.tideline.restore.RestoreFixtures.SEG;
import static io.tideline.restore.RestoreFixtures.T0;
import static io.tideline.restore.RestoreFixtures.backup;
import static io.tideline.restore.RestoreFixtures.complete;
import static io.tideline.restore.RestoreFixtures.instance;
import static io.tideline.restore.RestoreFixtures.lsn;
import static io.tideline.restore.RestoreFixtures.name;
import static io.tideline.restore.RestoreFixtures.twoBackupsAndAPartial;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tideline.core.ids.InstanceId;
import io.tideline.core.ids.RestoreId;
import io.tideline.core.registry.RegisteredInstance;
import io.tideline.core.restore.RestorePoint;
import io.tideline.core.restore.RestoreTarget;
import io.tideline.core.window.BackupEntry;
import io.tideline.core.window.BucketInventory;
import io.tideline.core.window.RestorableWindow;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Every rejection kind, with its reason, and the backup chosen for what is accepted. */
class RestoreValidatorTest {

    private static final Instant NOW = T0.plusSeconds(3600);
    private static final InstanceId SOURCE = InstanceId.of("orders");

    private final Map<InstanceId, RegisteredInstance> registered = new HashMap<>(Map.of(SOURCE, instance(SOURCE, "orders")));
    private final Map<String, String> holders = new HashMap<>();
    private BucketInventory bucket = twoBackupsAndAPartial();

    // ---- rejections ------------------------------------------------------------------------------

    /** Issue 16: each refusal says which field it is about and whether the request or the state is to blame (400/422). */
    @Test
    void aRefusalNamesItsFieldAndWhetherTheRequestOrTheStateIsToBlame() {
        assertFault(request("invoices", "latest"), RestoreValidator.FIELD_INSTANCE, RestoreValidator.Kind.UNKNOWN_SOURCE);
        assertFault(request("orders", "yesterday", "x"), RestoreValidator.FIELD_TARGET, RestoreValidator.Kind.MALFORMED);
        assertFault(request("orders", "lsn:nowhere"), RestoreValidator.FIELD_TARGET, RestoreValidator.Kind.MALFORMED);
        assertFault(exclusive("orders", "immediate"), RestoreValidator.FIELD_EXCLUSIVE, RestoreValidator.Kind.MALFORMED);
        assertFault(request("orders", "latest", "Orders Copy"), RestoreValidator.FIELD_NAME, RestoreValidator.Kind.MALFORMED);
        assertFault(request("orders", "latest", "orders"), RestoreValidator.FIELD_NAME, RestoreValidator.Kind.UNSATISFIABLE);
        assertFault(request("orders", T0.toString()), RestoreValidator.FIELD_TARGET, RestoreValidator.Kind.UNSATISFIABLE);
        assertFault(request("orders", "lsn:FF/0"), RestoreValidator.FIELD_TARGET, RestoreValidator.Kind.UNSATISFIABLE);
        assertFault(request("orders", "immediate:20200101T000000Z-zzzz"), RestoreValidator.FIELD_TARGET,
                RestoreValidator.Kind.UNSATISFIABLE);
    }

    @Test
    void everyMalformedFieldIsNamedAtOnce() {
        List<RestoreValidator.Decision.Reject> faults = RestoreValidator.malformedFields(request("orders", "yesterday", "x"));
        assertEquals(List.of(RestoreValidator.FIELD_TARGET, RestoreValidator.FIELD_NAME),
                faults.stream().map(RestoreValidator.Decision.Reject::field).toList(), faults.toString());
        assertEquals(List.of(RestoreValidator.FIELD_EXCLUSIVE),
                RestoreValidator.malformedFields(exclusive("orders", "latest")).stream().map(RestoreValidator.Decision.Reject::field).toList());
        assertEquals(List.of(), RestoreValidator.malformedFields(request("orders", "latest", "orders")), "taken is not malformed");
    }

    private void assertFault(RestoreRequest request, String field, RestoreValidator.Kind kind) {
        RestoreValidator.Decision d = validator().validate(request, NOW);
        RestoreValidator.Decision.Reject reject = assertInstanceOf(RestoreValidator.Decision.Reject.class, d, d.toString());
        assertEquals(field, reject.field(), reject.toString());
        assertEquals(kind, reject.kind(), reject.toString());
    }

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

    // ---- targets that are positions ----------------------------------------------------------------

    @Test
    void anLsnIsRestoredFromTheNewestBackupConsistentAtOrBeforeItWhoseWalReachesPastIt() {
        assertEquals("aaaa", suffix(accepted(request("orders", "lsn:" + lsn(2, 0)))));
        assertEquals("bbbb", suffix(accepted(request("orders", "lsn:" + lsn(3, 0x100)))), "consistent exactly at it");
        assertEquals("bbbb", suffix(accepted(request("orders", "lsn:" + lsn(4, 0x7fff)))));
        RestorePlan exclusive = accepted(exclusive("orders", "lsn:" + lsn(2, 0)));
        assertEquals(new RestoreTarget.AtLsn(lsn(2, 0), false), exclusive.target());
    }

    @Test
    void anLsnOutsideTheStoredWalIsRefused() {
        assertRejected(request("orders", "lsn:" + lsn(1, 0x100)), "LSN " + lsn(1, 0x100) + " is before the restorable window of orders",
                "becomes consistent at WAL " + lsn(1, 0x138));
        assertRejected(request("orders", "lsn:" + lsn(4, 0x8000)), "is past the stored WAL of orders, which ends at " + lsn(4, 0x8000));
        assertRejected(request("orders", "lsn:FF/0"), "is past the stored WAL");
        assertRejected(request("orders", "lsn:nowhere"), "'lsn:nowhere' is not an LSN");
    }

    @Test
    void immediateIsTheNewestOrTheNamedBackupsConsistencyPoint() {
        assertEquals("bbbb", suffix(accepted(request("orders", "immediate"))));
        BackupEntry first = twoBackupsAndAPartial().backups().get(0);
        assertEquals("aaaa", suffix(accepted(request("orders", "immediate:" + first.id()))));
        assertRejected(request("orders", "immediate:20200101T000000Z-zzzz"), "no backup 20200101T000000Z-zzzz is stored for orders");
        BackupEntry withoutWal = backup("cccc", 1, lsn(7, 0x28), lsn(7, 0x138), 40, 41);
        bucket = BucketInventory.builder().backup(twoBackupsAndAPartial().backups().get(0)).wal(complete(1, 2)).backup(withoutWal).build();
        assertRejected(request("orders", "immediate:" + withoutWal.id()), "backup " + withoutWal.id() + " of orders cannot be restored",
                "is not all stored");
        assertRejected(exclusive("orders", "immediate"), "cannot be exclusive");
    }

    @Test
    void anXidIsPlacedWhereItsCommitRecordEnds() {
        transactions.put(4711L, new TransactionEnd(4711, true, lsn(2, 0x500), T0.plusSeconds(9 * 60)));
        transactions.put(4712L, new TransactionEnd(4712, true, lsn(3, 0x100), T0.plusSeconds(15 * 60)));
        transactions.put(4713L, new TransactionEnd(4713, true, lsn(3, 0x2000), T0.plusSeconds(16 * 60)));
        assertEquals("aaaa", suffix(accepted(request("orders", "xid:4711"))));
        assertEquals("aaaa", suffix(accepted(request("orders", "xid:4712"))),
                "a commit ending where a backup becomes consistent lies before that consistency point");
        RestorePlan plan = accepted(exclusive("orders", "xid:4713"));
        assertEquals("bbbb", suffix(plan));
        assertEquals(new RestoreTarget.AtXid(4713, false), plan.target());
    }

    @Test
    void anUnknownAbortedOrTooOldXidIsRefused() {
        transactions.put(500L, new TransactionEnd(500, false, lsn(2, 0x500), T0.plusSeconds(9 * 60)));
        transactions.put(400L, new TransactionEnd(400, true, lsn(1, 0x100), T0.plusSeconds(1)));
        assertRejected(request("orders", "xid:999"), "transaction 999 is unknown to the stored WAL of orders", "still running");
        assertRejected(request("orders", "xid:500"), "transaction 500 aborted", "changed nothing");
        assertRejected(request("orders", "xid:400"), "transaction 400 (committed at", "is before the restorable window of orders");
        assertRejected(request("orders", "xid:0"), "reserved");
    }

    @Test
    void aNamedPointIsPlacedWhereItWasRecordedAndAnUnknownNameIsRefused() {
        points.put("before-migration", new RestorePoint(SOURCE, "before-migration", lsn(3, 0x200), 1, T0.plusSeconds(16 * 60), "alice"));
        points.put("elsewhere", new RestorePoint(SOURCE, "elsewhere", lsn(3, 0x200), 2, T0.plusSeconds(16 * 60), "alice"));
        points.put("too-new", new RestorePoint(SOURCE, "too-new", lsn(5, 0x200), 1, T0.plusSeconds(30 * 60), "alice"));
        assertEquals("bbbb", suffix(accepted(request("orders", "name:before-migration"))));
        assertRejected(request("orders", "name:never-made"), "no restore point named 'never-made' was created for orders");
        assertRejected(request("orders", "name:elsewhere"), "made on timeline 2", "not on the history");
        assertRejected(request("orders", "name:too-new"), "restore point 'too-new'", "is past the stored WAL of orders");
        assertRejected(exclusive("orders", "name:before-migration"), "cannot be exclusive");
    }

    // ---- fixture ---------------------------------------------------------------------------------

    private final Map<Long, TransactionEnd> transactions = new HashMap<>();
    private final Map<String, RestorePoint> points = new HashMap<>();

    private final TargetFacts facts = new TargetFacts() {
        @Override
        public Optional<TransactionEnd> transactionEnd(RegisteredInstance source, BucketInventory inventory, RestorableWindow window,
                                                       long walXid) {
            return Optional.ofNullable(transactions.get(walXid));
        }

        @Override
        public Optional<RestorePoint> restorePoint(RegisteredInstance source, String name) {
            return Optional.ofNullable(points.get(name));
        }
    };

    private static RestoreRequest exclusive(String source, String target) {
        return new RestoreRequest(RestoreId.of("4d2b7e10-0000-4000-8000-000000000001"), source, target, Optional.empty(), "alice", NOW,
                true);
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
        return new RestoreValidator(fleet, source -> bucket, (s, i) -> io.tideline.core.window.Damage.none(), facts);
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
}
