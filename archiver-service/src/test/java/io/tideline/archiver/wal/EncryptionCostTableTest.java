package io.tideline.archiver.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tideline.archiver.wal.EncryptionCostTable.Run;
import io.tideline.archiver.wal.EncryptionCostTable.Spread;
import org.junit.jupiter.api.Test;

class EncryptionCostTableTest {

    private static final long GIB = 1L << 30;

    @Test
    void spreadIsTheMedianWithMinAndMaxWhateverTheOrder() {
        assertEquals(new Spread(3, 1, 9), Spread.of(new double[] {9, 1, 3}));
        assertEquals(new Spread(2.5, 1, 9), Spread.of(new double[] {9, 2, 1, 3}), "even count: the mean of the middle two");
        assertEquals(new Spread(4, 4, 4), Spread.of(new double[] {4}));
        assertThrows(IllegalArgumentException.class, () -> Spread.of(new double[0]));
    }

    @Test
    void aRowSetsTheMediansOfOnBesideOffPerGibAndTheirRatio() {
        EncryptionCostTable table = new EncryptionCostTable();
        // encrypted: 2 GiB in 10, 12, 30 s (median 12), CPU 4, 5, 6 s (2.5 s/GiB median), stored 1 GiB + 1 MiB
        table.add(new Run("base backup", true, 10, 4, 1, 2 * GIB, GIB + (1 << 20)));
        table.add(new Run("base backup", true, 30, 6, 1, 2 * GIB, GIB + (1 << 20)));
        table.add(new Run("base backup", true, 12, 5, 1, 2 * GIB, GIB + (1 << 20)));
        // plain: 8 s each run, 2 s of CPU per GiB
        table.add(new Run("base backup", false, 8, 4, 0.5, 2 * GIB, GIB));
        table.add(new Run("base backup", false, 8, 4, 0.5, 2 * GIB, GIB));
        // a run that moved twice the data stores twice as much: no overhead, per plain byte
        table.add(new Run("base backup", false, 8, 8, 1, 4 * GIB, 2 * GIB));

        String row = table.markdown().lines().skip(2).findFirst().orElseThrow();
        assertEquals("| base backup (2048) | 3/3 | 12.0 [10.0–30.0] | 8.0 [8.0–8.0] | 1.50 | 171 / 256 | 2.50 [2.00–3.00]"
                + " | 2.00 [2.00–2.00] | 1.25 | 0.50 / 0.25 | 1025.0 / 1024.0 (+0.10 %) |", row);
        assertTrue(table.markdown().lines().findFirst().orElseThrow().startsWith("| operation (plain MiB per run) |"));
    }

    @Test
    void anOperationWithOneSideOnlyIsLeftOut() {
        EncryptionCostTable table = new EncryptionCostTable();
        table.add(new Run("restore, warm", true, 1, 1, 0, GIB, GIB));
        table.add(new Run("WAL catch-up", true, 1, 1, 0, GIB, GIB));
        table.add(new Run("WAL catch-up", false, 1, 1, 0, GIB, GIB));
        String markdown = table.markdown();
        assertFalse(markdown.contains("restore, warm"), markdown);
        assertTrue(markdown.contains("| WAL catch-up (1024) | 1/1 |"), markdown);
    }
}
