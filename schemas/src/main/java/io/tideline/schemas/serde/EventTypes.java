package io.tideline.schemas.serde;

import io.tideline.schemas.AgentAnnounced;
import io.tideline.schemas.ArtifactsExpired;
import io.tideline.schemas.BackupCommand;
import io.tideline.schemas.BackupCompleted;
import io.tideline.schemas.BackupFailed;
import io.tideline.schemas.BackupProgress;
import io.tideline.schemas.BackupStarted;
import io.tideline.schemas.DeadLetter;
import io.tideline.schemas.InstanceRegistered;
import io.tideline.schemas.ObjectCorrupted;
import io.tideline.schemas.RestoreAccepted;
import io.tideline.schemas.RestoreCompleted;
import io.tideline.schemas.RestoreDrillCompleted;
import io.tideline.schemas.RestoreDrillFailed;
import io.tideline.schemas.RestoreFailed;
import io.tideline.schemas.RestoreProgress;
import io.tideline.schemas.RestoreCancelRequested;
import io.tideline.schemas.RestoreRejected;
import io.tideline.schemas.RestoreRequested;
import io.tideline.schemas.WalGapDetected;
import io.tideline.schemas.WalSegmentStored;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;

/**
 * The closed list of top-level records that may be the value of a Tideline Kafka record. A new
 * event type is added here and gets a {@code schema-history/<Name>/v1.avsc}; the compatibility
 * test fails until both exist.
 */
public final class EventTypes {

    /** Every event type, in the order of DESIGN.md's topic table. Immutable. */
    public static final List<Class<? extends SpecificRecord>> ALL = List.of(
            InstanceRegistered.class,
            BackupCommand.class,
            BackupStarted.class,
            BackupCompleted.class,
            BackupFailed.class,
            BackupProgress.class,
            WalSegmentStored.class,
            WalGapDetected.class,
            ArtifactsExpired.class,
            RestoreDrillCompleted.class,
            RestoreDrillFailed.class,
            ObjectCorrupted.class,
            RestoreRequested.class,
            RestoreCancelRequested.class,
            RestoreAccepted.class,
            RestoreRejected.class,
            RestoreProgress.class,
            RestoreCompleted.class,
            RestoreFailed.class,
            DeadLetter.class,
            AgentAnnounced.class);

    private EventTypes() {
    }
}
