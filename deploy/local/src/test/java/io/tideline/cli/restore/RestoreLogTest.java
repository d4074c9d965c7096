package io.tideline.cli.restore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tideline.cli.events.Event;
import io.tideline.core.kafka.Topics;
import io.tideline.schemas.RestoreAccepted;
import io.tideline.schemas.RestoreCompleted;
import io.tideline.schemas.RestoreFailed;
import io.tideline.schemas.RestorePhase;
import io.tideline.schemas.RestoreProgress;
import io.tideline.schemas.RestoreRequested;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

class RestoreLogTest {

    private static final Instant T0 = Instant.parse("2026-12-07T10:00:00Z");
    private static final String A = "aaaaaaaa-1111-4111-8111-111111111111";
    private static final String B = "bbbbbbbb-2222-4222-8222-222222222222";

    @Test
    void eachRestoreEndsInItsStateAndACancelIsNotAFailure() {
        RestoreLog log = RestoreLog.of(List.of(event(requested(A)), event(requested(B))), List.of(
                event(accepted(A)), event(progress(A, RestorePhase.REPLAYING_WAL)), event(completed(A)),
                event(progress(A, RestorePhase.VERIFYING)),
                event(accepted(B)), event(failed(B, "cancelled by cli:alice; removed instance, bucket"))));
        RestoreLog.Restore a = log.find(A);
        assertEquals(RestoreLog.State.COMPLETED, a.state(), "a final state is never left");
        assertEquals("replaying wal", a.phase());
        assertEquals("orders-copy", a.newInstance());
        RestoreLog.Restore b = log.find("bbbbbbbb");
        assertEquals(RestoreLog.State.CANCELLED, b.state());
        assertTrue(b.reason().startsWith("cancelled by cli:alice"), b.reason());
        assertEquals(List.of(A, B), log.all().stream().map(RestoreLog.Restore::restoreId).toList());
    }

    @Test
    void aRunningReplaySaysHowFarItGotInTime() {
        RestoreProgress replaying = RestoreProgress.newBuilder(progress(B, RestorePhase.REPLAYING_WAL))
                .setReplayedTo(Instant.parse("2026-12-07T10:02:31Z")).setReplayTarget(Instant.parse("2026-12-07T10:15:30.250Z")).build();
        RestoreLog log = RestoreLog.of(List.of(event(requested(B))), List.of(event(accepted(B)), event(replaying)));
        assertEquals("replaying wal, replayed to 2026-12-07T10:02:31.000Z of 2026-12-07T10:15:30.250Z", log.find(B).phase());
        assertEquals("replayed to 2026-12-07T10:02:31.000Z", RestoreLog.replayInWords(
                RestoreProgress.newBuilder(replaying).setReplayTarget(null).build()).orElseThrow(), "a target that is not a time");
        assertTrue(RestoreLog.replayInWords(progress(B, RestorePhase.REPLAYING_WAL)).isEmpty());
    }

    @Test
    void aShortIdMustBeUniqueAndAtLeastEightCharacters() {
        RestoreLog log = RestoreLog.of(List.of(event(requested(A))), List.of());
        assertEquals(A, log.find("aaaaaaaa").restoreId());
        assertThrows(IllegalArgumentException.class, () -> log.find("aaaa"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> log.find("cccccccc")).getMessage().startsWith("unknown restore"));
    }

    private static RestoreRequested requested(String id) {
        return RestoreRequested.newBuilder().setEventId(UUID.randomUUID()).setInstanceId("orders").setOccurredAt(T0)
                .setRestoreId(id).setTarget("latest").setNewName(id.equals(A) ? "orders-copy" : null).setRequestedBy("cli:alice").build();
    }

    private static RestoreAccepted accepted(String id) {
        return RestoreAccepted.newBuilder().setEventId(UUID.randomUUID()).setInstanceId("orders").setOccurredAt(T0)
                .setRestoreId(id).setNewInstanceId(id.equals(A) ? "orders-copy" : "orders-r-bbbbbbbb").setBackupId("b-1").setTarget("latest").build();
    }

    private static RestoreProgress progress(String id, RestorePhase phase) {
        return RestoreProgress.newBuilder().setEventId(UUID.randomUUID()).setInstanceId("orders").setOccurredAt(T0)
                .setRestoreId(id).setPhase(phase).setBytesDone(0).setBytesTotal(null).setWalSegmentsReplayed(0).setMessage(null).build();
    }

    private static RestoreCompleted completed(String id) {
        return RestoreCompleted.newBuilder().setEventId(UUID.randomUUID()).setInstanceId("orders").setOccurredAt(T0.plusSeconds(30))
                .setRestoreId(id).setNewInstanceId("orders-copy").setHost("127.0.0.1").setPort(5433).setDatabase("app")
                .setUser("app").setSecretRef("orders-copy/owner").setRecoveredTo(T0).setWalReplayedThroughSegment(null).build();
    }

    private static RestoreFailed failed(String id, String reason) {
        return RestoreFailed.newBuilder().setEventId(UUID.randomUUID()).setInstanceId("orders").setOccurredAt(T0.plusSeconds(9))
                .setRestoreId(id).setReason(reason).setNewInstanceId("orders-r-bbbbbbbb").build();
    }

    private long offset;

    private Event event(SpecificRecord value) {
        return new Event(Topics.RESTORE_EVENTS, 0, offset++, "orders", T0, Optional.of(value), Optional.empty());
    }
}
