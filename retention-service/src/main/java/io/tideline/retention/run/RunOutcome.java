package io.tideline.retention.run;

import io.tideline.core.ids.InstanceId;
import io.tideline.schemas.ArtifactsExpired;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What one retention run of one instance did.
 *
 * @param reasons  why it waited, skipped or failed; notes of the decision otherwise
 * @param problems objects of the bucket the inventory could not make sense of (never deleted)
 * @param event    the {@code ArtifactsExpired} published, when something was deleted
 */
public record RunOutcome(InstanceId instance, Instant at, Kind kind, List<String> reasons, List<String> problems,
                         Optional<ArtifactsExpired> event) {

    public enum Kind {
        /** The instance is not (or no longer) registered. */
        SKIPPED,
        /** Nothing deleted: the information was incomplete (see the reasons). */
        WAITED,
        /** The decision deleted nothing. */
        NOTHING_TO_EXPIRE,
        /** Objects were deleted and {@code ArtifactsExpired} published. */
        EXPIRED,
        /** Deleting or publishing failed part way; what was deleted is in the event, if any. */
        FAILED
    }

    public RunOutcome {
        Objects.requireNonNull(instance, "instance");
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(kind, "kind");
        reasons = List.copyOf(reasons);
        problems = List.copyOf(problems);
        Objects.requireNonNull(event, "event");
    }
}
