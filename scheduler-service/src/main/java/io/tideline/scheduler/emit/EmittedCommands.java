package io.tideline.scheduler.emit;

import io.tideline.core.ids.CommandId;
import io.tideline.core.ids.InstanceId;
import io.tideline.scheduler.plan.EmissionLedger;
import io.tideline.schemas.BackupCommand;
import java.util.Objects;
import java.util.Optional;

/**
 * Feeds the ledger from {@code tideline.backup-commands}: every daily command read there, sent
 * by this replica, another replica or a previous life of this one, marks its day as emitted.
 * Commands of other kinds (on-demand, after a WAL gap or a restore) do not count: they do not
 * replace the day's scheduled backup.
 */
public final class EmittedCommands {

    private final EmissionLedger ledger;
    private final java.util.function.Consumer<BackupCommand> everyCommand;

    public EmittedCommands(EmissionLedger ledger) {
        this(ledger, command -> { });
    }

    /** @param everyCommand also told of every command read (the RTO budget's in-flight and attempt count) */
    public EmittedCommands(EmissionLedger ledger, java.util.function.Consumer<BackupCommand> everyCommand) {
        this.ledger = Objects.requireNonNull(ledger, "ledger");
        this.everyCommand = Objects.requireNonNull(everyCommand, "everyCommand");
    }

    /**
     * Applies one command read from the topic; returns the daily id it recorded, if it was one.
     *
     * @throws IllegalArgumentException if the command is inconsistent (a daily id for another
     *                                  instance than the record's, a malformed daily id): a
     *                                  record for the dead-letter topic
     */
    public Optional<CommandId.Daily> apply(BackupCommand command) {
        everyCommand.accept(command);
        Optional<CommandId.Daily> daily = CommandId.Daily.tryParse(command.getCommandId());
        if (daily.isEmpty()) {
            return daily;
        }
        InstanceId instance = InstanceId.of(command.getInstanceId());
        if (!daily.get().instance().equals(instance)) {
            throw new IllegalArgumentException("daily command id " + command.getCommandId()
                    + " names another instance than the command's instanceId " + instance);
        }
        ledger.record(daily.get());
        return daily;
    }
}
