package io.tideline.core.events;

import io.tideline.core.ids.CommandId;
import io.tideline.core.ids.InstanceId;
import io.tideline.schemas.BackupCommand;
import io.tideline.schemas.BackupReason;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * The one way Tideline builds a {@link BackupCommand} (the scheduler, the CLI, the archiver after a WAL
 * gap, the restore service after a restore). Promises: the reason is the one of the id's kind (a daily
 * id is always a {@code DAILY} command, and so on), so the two can never disagree; an id that names an
 * instance names the command's; the command is requested and occurs at the same moment.
 */
public final class BackupCommands {

    private BackupCommands() {
    }

    /**
     * @param eventId     random for a request, derived from the natural key where a redelivery must look the same
     * @param requestedBy who asked, for the history ({@code scheduler}, {@code cli:alice}, ...)
     * @throws IllegalArgumentException for a {@link CommandId.Custom} id (it has no reason of its own) or an id
     *                                  naming another instance
     */
    public static BackupCommand command(UUID eventId, InstanceId instance, CommandId id, String requestedBy, Instant now) {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(instance, "instance");
        Objects.requireNonNull(requestedBy, "requestedBy");
        Objects.requireNonNull(now, "now");
        instanceNamedBy(id).filter(named -> !named.equals(instance)).ifPresent(named -> {
            throw new IllegalArgumentException("command id " + id + " names instance " + named + ", not " + instance);
        });
        return BackupCommand.newBuilder()
                .setEventId(eventId)
                .setInstanceId(instance.value())
                .setOccurredAt(now)
                .setCommandId(id.value())
                .setReason(reasonOf(id))
                .setRequestedBy(requestedBy)
                .setRequestedAt(now)
                .build();
    }

    /** The reason a command of this id's kind carries. */
    public static BackupReason reasonOf(CommandId id) {
        if (id instanceof CommandId.Daily) {
            return BackupReason.DAILY;
        }
        if (id instanceof CommandId.OnDemand) {
            return BackupReason.ON_DEMAND;
        }
        if (id instanceof CommandId.AfterWalGap) {
            return BackupReason.AFTER_WAL_GAP;
        }
        if (id instanceof CommandId.AfterRestore) {
            return BackupReason.AFTER_RESTORE;
        }
        if (id instanceof CommandId.AfterCorruption) {
            return BackupReason.AFTER_CORRUPTION;
        }
        if (id instanceof CommandId.RtoBudget) {
            return BackupReason.RTO_BUDGET;
        }
        throw new IllegalArgumentException("command id " + id + " is not one of Tideline's kinds: its reason is unknown");
    }

    private static Optional<InstanceId> instanceNamedBy(CommandId id) {
        if (id instanceof CommandId.Daily d) {
            return Optional.of(d.instance());
        }
        if (id instanceof CommandId.AfterWalGap g) {
            return Optional.of(g.instance());
        }
        if (id instanceof CommandId.AfterCorruption c) {
            return Optional.of(c.instance());
        }
        if (id instanceof CommandId.RtoBudget r) {
            return Optional.of(r.instance());
        }
        return Optional.empty();
    }
}
