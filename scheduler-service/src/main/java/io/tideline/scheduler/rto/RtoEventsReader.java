package io.tideline.scheduler.rto;

import io.tideline.core.kafka.KafkaConnection;
import io.tideline.core.kafka.TopicReplay;
import io.tideline.core.kafka.Topics;
import io.tideline.core.rto.ReplayRates;
import io.tideline.schemas.RestoreCompleted;
import io.tideline.schemas.serde.EventCodec;
import java.util.List;

/**
 * Reads what the RTO budget needs, from the beginning and then following (every replica all partitions, no group):
 * {@code tideline.timeline} into {@link BackupActivity} (backups, stored WAL) and the replay rates restores measured
 * from {@code tideline.restore-events} into {@link ReplayRates}. A read model: a record it cannot use is skipped
 * (the topics' owners dead-letter them).
 */
public final class RtoEventsReader implements AutoCloseable {

    private final TopicReplay replay;

    public RtoEventsReader(KafkaConnection connection, EventCodec codec, BackupActivity activity, ReplayRates rates) {
        this.replay = new TopicReplay(connection, List.of(Topics.TIMELINE, Topics.RESTORE_EVENTS), "scheduler-rto", codec, record -> {
            if (record.value().isEmpty()) {
                return;
            }
            if (record.value().get() instanceof RestoreCompleted completed) {
                rates.record(completed);
            } else if (record.value().get() instanceof io.tideline.schemas.RestoreDrillCompleted drill) {
                rates.record(drill);
            } else {
                activity.apply(record.value().get());
            }
        });
    }

    public RtoEventsReader start() {
        replay.start();
        return this;
    }

    /** True once everything that was on the topics at the start has been read. */
    public boolean caughtUp() {
        return replay.isReplayed();
    }

    @Override
    public void close() {
        replay.close();
    }
}
