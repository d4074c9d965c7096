package io.tideline.restore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tideline.core.ids.InstanceId;
import io.tideline.core.ids.RestoreId;
import org.junit.jupiter.api.Test;

/** Drill copies are named so that the sweep of left copies finds exactly those of a source, never another instance. */
class DrillCopyNamesTest {

    private final RestoreId run = RestoreId.of("2a3df241-0000-4000-8000-000000000000");

    @Test
    void aCopyIsTheSourceDashDAndEightHexDigitsShortenedToAValidId() {
        assertEquals("orders-d-2a3df241", DrillRestores.copyId(InstanceId.of("orders"), run).value());
        InstanceId longSource = InstanceId.of("a-very-long-instance-name-of-thirty-9ch");
        InstanceId copy = DrillRestores.copyId(longSource, run);
        assertTrue(copy.value().length() <= 40, copy.value());
        assertTrue(DrillRestores.isCopyOf(longSource, copy), copy.value());
    }

    @Test
    void theSweepRecognisesOnlyCopiesOfItsSources() {
        InstanceId orders = InstanceId.of("orders");
        assertTrue(DrillRestores.isCopyOf(orders, InstanceId.of("orders-d-deadbeef")));
        assertFalse(DrillRestores.isCopyOf(orders, InstanceId.of("orders-r-deadbeef")), "a user's restore");
        assertFalse(DrillRestores.isCopyOf(orders, InstanceId.of("orders2-d-deadbeef")), "another source's copy");
        assertFalse(DrillRestores.isCopyOf(orders, InstanceId.of("orders-d-deadbeef-x")));
        assertFalse(DrillRestores.isCopyOf(orders, InstanceId.of("orders")));
    }
}
