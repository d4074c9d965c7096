package io.tideline.archiver.basebackup;

import io.tideline.core.ids.CommandId;
import io.tideline.core.ids.InstanceId;
import io.tideline.schemas.BackupCommand;
import io.tideline.schemas.BackupReason;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A {@link BackupCommand} the archiver can act on. {@link #from} refuses, with a reason a person
 * understands, anything that could never be processed however often it is retried: such a command
 * goes to the dead letters, not into the bucket's manifests.
 *
 * @param commandId the idempotence key: one backup per command id, recorded in the manifest
 */
public record BackupRequest(InstanceId instance, String commandId, BackupReason reason, String requestedBy,
                            Instant requestedAt) {


    public BackupRequest {
        Objects.requireNonNull(instance, "instance");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(requestedAt, "requestedAt");
        if (!CommandId.isValidText(commandId)) {
            throw new IllegalArgumentException("commandId must be 1 to 200 printable characters without spaces, not '" + commandId + "'");
        }
        if (requestedBy == null || requestedBy.isBlank()) {
            throw new IllegalArgumentException("requestedBy is missing");
        }
        if (reason == BackupReason.DAILY) {
            requireDailyId(commandId, instance);
        }
    }

    /**
     * The command as a request; {@code key} is the Kafka record key, which must name the same
     * instance (records of one instance share a partition, so a mismatch would break their order).
     */
    public static BackupRequest from(String key, BackupCommand command) {
        if (command.getInstanceId() == null) {
            throw new IllegalArgumentException("instanceId is missing");
        }
        InstanceId instance = InstanceId.of(command.getInstanceId());
        if (!instance.value().equals(key)) {
            throw new IllegalArgumentException("record key '" + key + "' is not the command's instance " + instance);
        }
        return new BackupRequest(instance, command.getCommandId(), command.getReason(), command.getRequestedBy(),
                command.getRequestedAt());
    }

    /**
     * A {@link CommandId.Daily} of this instance: the deterministic id that makes two schedulers' commands one
     * backup. Only DAILY commands are parsed: any printable id of another reason is taken as it is.
     */
    private static void requireDailyId(String commandId, InstanceId instance) {
        String expected = "'" + CommandId.Daily.PREFIX + instance.value() + ":<yyyy-mm-dd>'";
        Optional<CommandId.Daily> daily;
        try {
            daily = CommandId.Daily.tryParse(commandId);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("a DAILY command id must be " + expected + " with a UTC date, not '" + commandId + "'", e);
        }
        if (daily.isEmpty() || !daily.get().instance().equals(instance)) {
            throw new IllegalArgumentException("a DAILY command id must be " + expected + ", not '" + commandId + "'");
        }
    }

    @Override
    public String toString() {
        return commandId + " (" + reason + " backup of " + instance + " requested by " + requestedBy + ")";
    }
}
