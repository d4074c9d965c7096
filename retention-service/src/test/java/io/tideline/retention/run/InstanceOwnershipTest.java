package io.tideline.retention.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tideline.core.ids.InstanceId;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.junit.jupiter.api.Test;

class InstanceOwnershipTest {

    @Test
    void theOwnedPartitionIsTheOneTheProducerWritesTheInstanceTo() {
        for (int n : new int[] {1, 3, 12}) {
            for (int i = 0; i < 200; i++) {
                InstanceId id = InstanceId.of("pg-" + i);
                assertEquals(BuiltInPartitioner.partitionForKey(id.value().getBytes(StandardCharsets.UTF_8), n),
                        InstanceOwnership.partitionOf(id, n), id + " with " + n + " partitions");
            }
        }
    }

    @Test
    void nothingIsOwnedBeforeAnAssignmentOrAfterARevocation() {
        InstanceOwnership ownership = new InstanceOwnership();
        InstanceId id = InstanceId.of("pg-7");
        assertFalse(ownership.owns(id));
        int partition = InstanceOwnership.partitionOf(id, 3);
        ownership.assigned(List.of(partition), 3);
        assertTrue(ownership.owns(id));
        ownership.revoked(List.of(partition));
        assertFalse(ownership.owns(id));
        ownership.assigned(List.of((partition + 1) % 3, (partition + 2) % 3), 3);
        assertFalse(ownership.owns(id), "another replica's instance");
    }
}
