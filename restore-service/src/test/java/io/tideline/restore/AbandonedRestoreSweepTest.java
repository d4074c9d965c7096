package io.tideline.restore;

import static io.tideline.restore.RestoreFixtures.T0;
import static io.tideline.restore.RestoreFixtures.instance;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tideline.core.ids.InstanceId;
import io.tideline.core.kafka.Topics;
import io.tideline.core.registry.RegisteredInstance;
import io.tideline.schemas.RestoreAccepted;
import io.tideline.schemas.RestoreFailed;
import io.tideline.schemas.RestorePhase;
import io.tideline.schemas.RestoreProgress;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The time-out of restores a stopped replica accepted, and the cleanup of what they made — on in-memory parts.
 * {@code abandon-after} is its default, 30 s.
 */
class AbandonedRestoreSweepTest {

    private static final InstanceId HALF_MADE = InstanceId.of("orders-r-abandoned");
    private static final List<TopicPartition> THE_REQUEST_PARTITION = List.of(new TopicPartition(Topics.RESTORE_REQUESTS, 0));

    private final CoordinationBench bench = new CoordinationBench(T0.plusSeconds(3600), 1, (plan, tracker) -> { }).start();

    @AfterEach
    void close() {
        bench.close();
    }

    @Test
    void anAcceptedRestoreSilentForAbandonAfterIsFailedAndItsHalfMadeInstanceRemoved() {
        acceptedElsewhere(bench.now.minusSeconds(31));
        bench.instances.allocate(HALF_MADE);
        bench.buckets.provision(HALF_MADE);

        bench.sweep.assigned(THE_REQUEST_PARTITION);

        RestoreFailed failed = onlyFailure();
        assertEquals("r-gone", failed.getRestoreId());
        assertEquals(HALF_MADE.value(), failed.getNewInstanceId());
        assertTrue(failed.getReason().startsWith("the restore service stopped before this restore finished"), failed.getReason());
        assertTrue(failed.getReason().contains("the half-made instance orders-r-abandoned was removed"), failed.getReason());
        assertEquals(List.of(HALF_MADE), bench.instances.destroyed());
        assertFalse(bench.buckets.has(HALF_MADE));
    }

    @Test
    void aRestoreHeardFromWithinAbandonAfterIsLeftAlone() {
        acceptedElsewhere(bench.now.minusSeconds(29));
        bench.sweep.assigned(THE_REQUEST_PARTITION);

        acceptedElsewhere(bench.now.minusSeconds(120));
        bench.logOfOthers.add(RestoreProgress.newBuilder().setEventId(UUID.randomUUID()).setInstanceId("orders")
                .setOccurredAt(bench.now.minusSeconds(5)).setRestoreId("r-gone").setPhase(RestorePhase.REPLAYING_WAL)
                .setBytesDone(1).setWalSegmentsReplayed(1).build());
        bench.sweep.sweep();

        assertEquals(List.of(), bench.published(RestoreFailed.class));
    }

    @Test
    void onlyTheReplicaOwningTheSourcesRequestsFailsIt() {
        acceptedElsewhere(bench.now.minusSeconds(31));
        bench.instances.allocate(HALF_MADE);

        bench.sweep.sweep(); // no request partition assigned here

        assertEquals(List.of(), bench.published(RestoreFailed.class));
        assertTrue(bench.instances.find(HALF_MADE).isPresent());
    }

    @Test
    void aRegistrationMadeByTheAbandonedRestoreIsRemovedToo() {
        acceptedElsewhere(bench.now.minusSeconds(31));
        bench.instances.allocate(HALF_MADE);
        bench.registered.put(HALF_MADE, restoredBy("r-gone"));

        bench.sweep.assigned(THE_REQUEST_PARTITION);

        ProducerRecord<String, ?> tombstone = bench.published().stream()
                .filter(r -> r.topic().equals(Topics.INSTANCES)).findFirst().orElseThrow();
        assertEquals(HALF_MADE.value(), tombstone.key());
        assertNull(tombstone.value());
        assertEquals(List.of(HALF_MADE), bench.instances.destroyed());
        assertEquals(1, bench.published(RestoreFailed.class).size());
    }

    @Test
    void anInstanceRegisteredBySomeoneElseIsLeftAlone() {
        acceptedElsewhere(bench.now.minusSeconds(31));
        bench.instances.allocate(HALF_MADE);
        bench.registered.put(HALF_MADE, restoredBy("r-another"));

        bench.sweep.assigned(THE_REQUEST_PARTITION);

        assertTrue(onlyFailure().getReason().contains("is registered by someone else and was left alone"));
        assertEquals(List.of(), bench.instances.destroyed());
        assertTrue(bench.published().stream().noneMatch(r -> r.topic().equals(Topics.INSTANCES)));
    }

    private void acceptedElsewhere(Instant at) {
        bench.logOfOthers.add(RestoreAccepted.newBuilder().setEventId(UUID.randomUUID()).setInstanceId("orders")
                .setOccurredAt(at).setRestoreId("r-gone").setNewInstanceId(HALF_MADE.value())
                .setBackupId("20261120T101400Z-bbbb").setTarget("latest").build());
    }

    private RestoreFailed onlyFailure() {
        List<RestoreFailed> failed = bench.published(RestoreFailed.class);
        assertEquals(1, failed.size(), failed.toString());
        return failed.get(0);
    }

    private static RegisteredInstance restoredBy(String restoreId) {
        return instance(HALF_MADE, HALF_MADE.value(), Optional.of(new RegisteredInstance.Origin(InstanceId.of("orders"), restoreId)));
    }
}
