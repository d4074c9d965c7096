package io.tideline.archiver.basebackup;

import io.tideline.core.ids.BackupId;
import io.tideline.core.ids.InstanceId;
import io.tideline.core.kafka.TopicReplay;
import io.tideline.core.kafka.Topics;
import io.tideline.schemas.BackupCompleted;
import io.tideline.schemas.BackupFailed;
import io.tideline.schemas.BackupStarted;
import io.tideline.schemas.serde.EventCodec;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.specific.SpecificRecord;

/**
 * The backups {@code tideline.timeline} says were started and never ended: a {@code BackupStarted}
 * with neither {@code BackupCompleted} nor {@code BackupFailed} after it. A replay of the timeline
 * (every partition from the beginning, no consumer group), because the archiver that started such a
 * backup may be dead and its successor must learn about it from the one record that survives it.
 * Only the unfinished ones are kept, so memory follows the running backups, not the history.
 */
public final class UnfinishedBackups implements AutoCloseable {

    /** One started backup without its end. */
    public record Unfinished(InstanceId instance, BackupId backup, String commandId, Instant startedAt) {
        public Unfinished {
            Objects.requireNonNull(instance, "instance");
            Objects.requireNonNull(backup, "backup");
            Objects.requireNonNull(commandId, "commandId");
            Objects.requireNonNull(startedAt, "startedAt");
        }
    }

    private final Map<String, Unfinished> byBackup = new ConcurrentHashMap<>();
    private final TopicReplay replay;

    UnfinishedBackups(io.tideline.core.kafka.KafkaConnection connection, EventCodec codec) {
        this.replay = new TopicReplay(connection, List.of(Topics.TIMELINE), "archiver-unfinished-backups", codec,
                record -> record.value().ifPresent(this::apply));
    }

    UnfinishedBackups start() {
        replay.start();
        return this;
    }

    /** Keeps a started backup until its end is read; a record that is not a backup's start or end is ignored. */
    void apply(SpecificRecord event) {
        if (event instanceof BackupStarted s) {
            byBackup.put(s.getBackupId(), new Unfinished(InstanceId.of(s.getInstanceId()), BackupId.parse(s.getBackupId()),
                    s.getCommandId(), s.getStartedAt()));
        } else if (event instanceof BackupCompleted c) {
            byBackup.remove(c.getBackupId());
        } else if (event instanceof BackupFailed f) {
            byBackup.remove(f.getBackupId());
        }
    }

    /**
     * The unfinished backups of {@code instance}, oldest first, with every timeline record published
     * before this call read; throws {@link IllegalStateException} (a transient failure: the command is
     * retried) if the timeline could not be read that far within {@code timeout}.
     */
    List<Unfinished> of(InstanceId instance, Duration timeout) throws InterruptedException {
        TopicReplay.CatchUp catchUp = replay.awaitCaughtUp(timeout);
        if (!catchUp.isDone()) {
            throw new IllegalStateException("cannot tell which backups of " + instance + " a stopped archiver left unfinished: "
                    + catchUp.behind().orElse("the timeline was not read"));
        }
        return byBackup.values().stream().filter(u -> u.instance().equals(instance))
                .sorted(Comparator.comparing(Unfinished::startedAt)).toList();
    }

    @Override
    public void close() {
        replay.close();
    }
}
