package io.tideline.core.window;

import io.tideline.core.wal.Lsn;

import java.time.Instant;
import java.util.Objects;

/**
 * A complete backup on the instance's history whose WAL is stored contiguously from its start LSN past
 * its end LSN. It restores every moment of {@link #interval()}.
 *
 * @param walReachedLsn   where the contiguous stored WAL from the backup's start ends (exclusive)
 * @param lastWal         the stored WAL object that holds the last of it
 * @param restorableUntil the last moment it restores to: {@code lastWal.storedAt()}, or the backup's own
 *                        consistent moment if that is later (the state at {@code endLsn} is always
 *                        reachable once the WAL up to it is stored)
 */
public record RestorableBackup(BackupEntry backup, Lsn walReachedLsn, WalEntry lastWal, Instant restorableUntil) {

    public RestorableBackup {
        Objects.requireNonNull(backup, "backup");
        Objects.requireNonNull(walReachedLsn, "walReachedLsn");
        Objects.requireNonNull(lastWal, "lastWal");
        Objects.requireNonNull(restorableUntil, "restorableUntil");
        if (walReachedLsn.isBefore(backup.endLsn())) {
            throw new IllegalArgumentException("backup " + backup.id() + " is not restorable: WAL reaches only "
                    + walReachedLsn + ", its end LSN is " + backup.endLsn());
        }
        if (restorableUntil.isBefore(backup.finishedAt())) {
            throw new IllegalArgumentException("backup " + backup.id() + " cannot restore to before it finished");
        }
    }

    /** Every moment this backup restores to: from when it became consistent to the end of its WAL. */
    public TimeRange interval() {
        return new TimeRange(backup.finishedAt(), restorableUntil);
    }
}
