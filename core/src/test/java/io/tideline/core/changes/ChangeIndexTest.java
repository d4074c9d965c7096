package io.tideline.core.changes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tideline.core.storage.BucketLayout;
import io.tideline.core.storage.ObjectKind;
import io.tideline.core.wal.Lsn;
import io.tideline.core.wal.WalSegmentName;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChangeIndexTest {

    private static final BucketLayout LAYOUT = BucketLayout.DEFAULT;
    private static final WalSegmentName SEGMENT = WalSegmentName.of(2, new Lsn(5L << 24), 16L << 20);
    private static final Relation ORDERS = new Relation(1663, 5, 16384, "shop", "public", "orders", "r");

    private static IndexedTransaction deleting(long rows) {
        return new IndexedTransaction(2, 4711, new Lsn((5L << 24) + 4096), Instant.parse("2026-12-07T10:14:03.217Z"), true,
                List.of(new RelationRows(ORDERS, rows)), List.of(), List.of(), List.of());
    }

    @Test
    void storedIndexReadsBackAsWritten() {
        ChangeIndex index = ChangeIndex.of(2, SEGMENT.toString(), true, SEGMENT.startLsn(), SEGMENT.startLsn().plus(8192),
                List.of(deleting(39_978), new IndexedTransaction(2, 4712, new Lsn((5L << 24) + 8000), Instant.parse("2026-12-07T10:15:00Z"),
                        false, List.of(), List.of(), List.of(new DroppedRelation(ORDERS, DroppedRelation.Fate.DROPPED)),
                        List.of(new DroppedDatabase(16395, null)))));
        assertEquals(index, ChangeIndex.parseStored(index.toStored()));
        assertEquals("xid 4711 at 2026-12-07T10:14:03.217Z deleted 39,978 rows of public.orders", index.transactions().get(0).sentence());
        assertEquals(List.of("dropped database with oid 16395 (name unknown)", "dropped public.orders"), index.transactions().get(1).phrases());
    }

    @Test
    void anIndexOfAnotherVersionOrShapeIsRefusedWithTheReason() {
        String json = new String(ChangeIndex.of(1, SEGMENT.toString(), false, SEGMENT.startLsn(), SEGMENT.endLsn(), List.of()).toJson(),
                StandardCharsets.UTF_8);
        IllegalArgumentException version = assertThrows(IllegalArgumentException.class,
                () -> ChangeIndex.parse(json.replace("\"formatVersion\":1", "\"formatVersion\":2").getBytes(StandardCharsets.UTF_8)));
        assertTrue(version.getMessage().contains("v2"), version.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> ChangeIndex.parse(json.replace("\"partial\"", "\"surprise\":1,\"partial\"").getBytes(StandardCharsets.UTF_8)));
        assertThrows(IllegalArgumentException.class, () -> ChangeIndex.parseStored("not zstd".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void userDataLeavesOutCatalogsToastAndIndexes() {
        assertTrue(ORDERS.isUserData());
        assertFalse(new Relation(1663, 5, 1259, "shop", "pg_catalog", "pg_class", "r").isUserData());
        assertFalse(new Relation(1663, 5, 16387, "shop", "pg_toast", "pg_toast_16384", "t").isUserData());
        assertFalse(new Relation(1663, 5, 16390, "shop", "public", "orders_pkey", "i").isUserData());
        assertTrue(new Relation(1663, 5, 17000, null, null, null, null).isUserData(), "unknown: it may have been a table");
    }

    @Test
    void theLayoutSpellsAndParsesTheUndoFindersKeys() {
        String complete = LAYOUT.changeIndex(SEGMENT, false);
        String partial = LAYOUT.changeIndex(SEGMENT, true);
        assertEquals("changes/00000002/000000020000000000000005.json.zst", complete);
        assertEquals("changes/00000002/000000020000000000000005.partial.json.zst", partial);
        assertEquals(new ObjectKind.ChangeIndex(SEGMENT, false), LAYOUT.parse(complete));
        assertEquals(new ObjectKind.ChangeIndex(SEGMENT, true), LAYOUT.parse(partial));
        String catalog = LAYOUT.catalogSnapshot(Lsn.parse("1/5000028"));
        assertEquals("catalog/0000000105000028.json", catalog);
        assertEquals(new ObjectKind.CatalogSnapshot(Lsn.parse("1/5000028")), LAYOUT.parse(catalog));
        assertTrue(LAYOUT.parse("changes/00000001/000000020000000000000005.json.zst") instanceof ObjectKind.Unknown, "wrong timeline folder");
    }
}
