package io.tideline.restore;

import static io.tideline.restore.RestoreFixtures.T0;
import static io.tideline.restore.RestoreFixtures.instance;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tideline.core.ids.InstanceId;
import io.tideline.core.ids.RestoreId;
import io.tideline.schemas.RestoreAccepted;
import io.tideline.schemas.RestoreCompleted;
import io.tideline.schemas.RestoreProgress;
import io.tideline.schemas.RestoreRejected;
import java.time.Duration;
import java.util.List;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The intake and the runner on in-memory parts: redelivery, capacity, rejection — in milliseconds. */
class RestoreIntakeTest {

    private static final InstanceId SOURCE = InstanceId.of("orders");
    private static final Duration SOON = Duration.ofSeconds(5);

    private final HeldRestorer restorer = new HeldRestorer();
    private CoordinationBench bench;

    private CoordinationBench bench(int maxConcurrentRestores) {
        bench = new CoordinationBench(T0.plusSeconds(3600), maxConcurrentRestores, restorer).start();
        bench.registered.put(SOURCE, instance(SOURCE, "orders"));
        restorer.publishWith(bench.events);
        return bench;
    }

    private static ConditionFactory soon() {
        return await().atMost(SOON).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(2));
    }

    @AfterEach
    void close() {
        bench.close();
    }

    @Test
    void aRedeliveredRequestStartsNoSecondRestore() {
        bench(2);
        bench.request("r-1", "orders", "latest");
        bench.request("r-1", "orders", "latest"); // delivered again while it runs
        soon().until(() -> restorer.started().size() == 1);

        restorer.finish("r-1");
        soon().until(() -> bench.published(RestoreCompleted.class).size() == 1);
        soon().until(() -> !bench.runner.runs(RestoreId.of("r-1")));
        bench.request("r-1", "orders", "latest"); // and again after it completed: not "name taken"

        assertEquals(List.of(RestoreId.of("r-1")), restorer.started(), "one run");
        assertEquals(1, bench.published(RestoreAccepted.class).size(), "one answer");
        assertEquals(List.of(), bench.published(RestoreRejected.class));
    }

    @Test
    void aRequestAcceptedElsewhereIsNotAnsweredAgain() {
        bench(2);
        bench.logOfOthers.add(RestoreAccepted.newBuilder().setEventId(java.util.UUID.randomUUID()).setInstanceId("orders")
                .setOccurredAt(bench.now).setRestoreId("r-other").setNewInstanceId("orders-r-other")
                .setBackupId("20261120T101400Z-bbbb").setTarget("latest").build());
        bench.sweep.sweep(); // what an assignment does: read the log

        bench.request("r-other", "orders", "latest");

        assertEquals(List.of(), restorer.started());
        assertEquals(List.of(), bench.published());
    }

    @Test
    void aRequestAtCapacityIsAcceptedAndWaitsForAFreeRestoreThread() {
        bench(1);
        bench.request("r-1", "orders", "latest");
        soon().until(() -> restorer.started().size() == 1);

        bench.request("r-2", "orders", "latest");

        assertEquals(List.of("r-1", "r-2"), bench.published(RestoreAccepted.class).stream().map(RestoreAccepted::getRestoreId).toList(),
                "accepted at once: the listener is not held while restores run");
        // No second restore while the only thread is busy (watched for a while: a second thread would start it at once).
        await().during(Duration.ofMillis(150)).atMost(SOON).pollInterval(Duration.ofMillis(5))
                .until(() -> restorer.started().equals(List.of(RestoreId.of("r-1"))));
        bench.heartbeat.beat();
        RestoreProgress waiting = bench.published(RestoreProgress.class).stream()
                .filter(p -> p.getRestoreId().equals("r-2")).findFirst().orElseThrow();
        assertEquals("waiting for a free restore slot", waiting.getMessage());

        restorer.finish("r-1");
        soon().until(() -> restorer.started().size() == 2);
        assertEquals(RestoreId.of("r-2"), restorer.started().get(1));
        restorer.finish("r-2");
    }

    @Test
    void theHeartbeatRepeatsNothingUnchangedWithinItsPace() {
        bench(1);
        bench.request("r-1", "orders", "latest");
        soon().until(() -> restorer.started().size() == 1);

        bench.heartbeat.beat();
        bench.heartbeat.beat();
        assertEquals(1, bench.published(RestoreProgress.class).size(), "the clock did not move, nothing changed");

        bench.runner.running().iterator().next().tracker().message("replaying WAL");
        bench.heartbeat.beat();
        assertEquals(2, bench.published(RestoreProgress.class).size(), "a change is published at the next beat");
        restorer.finish("r-1");
    }

    @Test
    void aRejectedRequestMakesNothing() {
        bench(2);
        bench.request("r-3", "invoices", "latest");

        RestoreRejected rejected = bench.published(RestoreRejected.class).get(0);
        assertTrue(rejected.getReason().contains("unknown instance 'invoices'"), rejected.getReason());
        assertEquals(1, bench.published().size());
        assertEquals(List.of(), restorer.started());
        assertEquals(List.of(), bench.instances.list());
    }
}
