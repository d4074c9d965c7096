package io.tideline.archiver.basebackup;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** Issue 18: a partition is committed only up to its oldest command whose backup has not ended. */
class CommandOffsetsTest {

    private static final TopicPartition P0 = new TopicPartition("tideline.backup-commands", 0);
    private static final TopicPartition P1 = new TopicPartition("tideline.backup-commands", 1);

    @Test
    void laterCommandsEndingFirstDoNotMoveTheCommitPastAnOlderOneStillRunning() {
        CommandOffsets offsets = new CommandOffsets();
        offsets.taken(P0, 5);
        offsets.taken(P0, 6);
        offsets.taken(P0, 7);
        offsets.finished(P0, 6);
        offsets.finished(P0, 7);
        assertEquals(Optional.of(5L), offsets.committable(P0), "5 is still running: a crash must bring it back");
        offsets.committed(P0, 5);
        assertEquals(Optional.empty(), offsets.committable(P0), "nothing new to commit");
        offsets.finished(P0, 5);
        assertEquals(Optional.of(8L), offsets.committable(P0), "all ended: past the last one");
    }

    @Test
    void partitionsAreIndependentAndAForgottenPartitionIsNotCommitted() {
        CommandOffsets offsets = new CommandOffsets();
        offsets.taken(P0, 0);
        offsets.taken(P1, 10);
        offsets.finished(P1, 10);
        assertEquals(Map.of(P0, 0L, P1, 11L), offsets.committable());
        offsets.forget(P1);
        assertEquals(Map.of(P0, 0L), offsets.committable());
    }
}
