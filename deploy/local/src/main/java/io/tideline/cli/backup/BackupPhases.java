package io.tideline.cli.backup;

import io.tideline.cli.output.Progress;
import io.tideline.schemas.BackupProgress;

/** A running backup's phase as a person reads it. */
public final class BackupPhases {

    private BackupPhases() {
    }

    public static String describe(BackupProgress p) {
        String phase = switch (p.getPhase()) {
            case STREAMING -> "copying the data directory";
            case WAITING_FOR_WAL -> "waiting for the WAL up to the backup's end";
        };
        return phase + ", " + Progress.bytes(p.getBytesStored()) + " stored"
                + (p.getMessage() == null ? "" : " (" + p.getMessage() + ")");
    }
}
