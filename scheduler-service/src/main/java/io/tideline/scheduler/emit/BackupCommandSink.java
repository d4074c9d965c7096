package io.tideline.scheduler.emit;

import io.tideline.schemas.BackupCommand;

/** Where due commands go: {@code tideline.backup-commands}, keyed by instance, in production. */
@FunctionalInterface
public interface BackupCommandSink {

    /**
     * Sends one command and returns only once the broker acknowledged it; throws if it did not.
     * The emitter records a command as emitted only after this returned.
     */
    void send(BackupCommand command) throws Exception;
}
