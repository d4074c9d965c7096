package io.tideline.retention.verify;

import io.tideline.core.events.BackupCommands;
import io.tideline.core.ids.CommandId;
import io.tideline.core.ids.InstanceId;
import io.tideline.core.kafka.EventPublisher;
import io.tideline.core.kafka.Topics;
import io.tideline.core.registry.RegisteredInstance;
import io.tideline.core.storage.BucketLayout;
import io.tideline.core.storage.ObjectKind;
import io.tideline.schemas.BackupCommand;
import io.tideline.schemas.ObjectCorrupted;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What retention does about an {@code ObjectCorrupted} of an instance it owns, whoever found it (the CLI's
 * verify or the background verifier): when a damaged WAL object ends the window early
 * ({@code cutsWindowEnd}), it asks for a base backup at once ({@link CommandId.AfterCorruption}, one per
 * damaged segment, so a replayed or repeated event asks for the same backup and the archiver takes it
 * once); the window then grows past the damage again from that backup on. Damage that does not end the
 * window (an older backup's part, WAL before the newest backup's start) needs no backup: the window still
 * reaches the newest WAL, and the daily backups go on.
 */
public final class CorruptionResponse {

    private static final Logger LOG = LoggerFactory.getLogger(CorruptionResponse.class);
    static final String REQUESTED_BY = "retention-service";

    private final Function<InstanceId, Optional<RegisteredInstance>> registry;
    private final EventPublisher publisher;
    private final Clock clock;

    public CorruptionResponse(Function<InstanceId, Optional<RegisteredInstance>> registry, EventPublisher publisher, Clock clock) {
        this.registry = registry;
        this.publisher = publisher;
        this.clock = clock;
    }

    /** The backup command asked for, if any. */
    public Optional<BackupCommand> on(ObjectCorrupted event) {
        if (!event.getCutsWindowEnd()) {
            return Optional.empty();
        }
        InstanceId instance = InstanceId.of(event.getInstanceId());
        Optional<RegisteredInstance> registered = registry.apply(instance);
        if (registered.isEmpty()) {
            return Optional.empty();
        }
        ObjectKind kind = BucketLayout.forSegmentSize(registered.get().walSegmentSize()).parse(event.getKey());
        CommandId id;
        if (kind instanceof ObjectKind.WalSegment s) {
            id = CommandId.afterCorruption(instance, s.segment().timeline(), s.segment().startLsn());
        } else if (kind instanceof ObjectKind.WalPartial s) {
            id = CommandId.afterCorruption(instance, s.segment().timeline(), s.segment().startLsn());
        } else {
            LOG.warn("{} of {} is damaged and ends the window early; it is no WAL object, so the next daily backup restores the window",
                    event.getKey(), instance);
            return Optional.empty();
        }
        BackupCommand command = BackupCommands.command(UUID.nameUUIDFromBytes(id.value().getBytes(StandardCharsets.UTF_8)),
                instance, id, REQUESTED_BY, clock.instant());
        publisher.publishAndWait(Topics.BACKUP_COMMANDS, instance.value(), command);
        LOG.info("asked for backup {} of {}: damaged {} ends the window", id, instance, event.getKey());
        return Optional.of(command);
    }
}
