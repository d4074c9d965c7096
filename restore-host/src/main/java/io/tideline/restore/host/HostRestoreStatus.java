package io.tideline.restore.host;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;

/**
 * Where a restore on an agent is ({@code GET /agent/restores/<id>}). {@code state}: {@link #RUNNING},
 * {@link #RECOVERED} (promoted and answering; waits for the coordinator's hand-over) or {@link #FAILED}
 * ({@code failure} says why; the agent has already removed what it made). The recovery's facts are set once
 * recovered. {@code replayedTo}: while WAL replays, the commit time of the last transaction replayed.
 */
@Serdeable
public record HostRestoreStatus(String restoreId, String agentId, String newInstanceId, String state, String phase,
                                long bytesDone, @Nullable Long bytesTotal, long walSegmentsReplayed, @Nullable String message,
                                @Nullable String failure, @Nullable Long timeline, @Nullable String lastCommit,
                                @Nullable String walThrough, long walServed, long walFromSpool,
                                @Nullable String replayedTo) {

    public static final String RUNNING = "RUNNING";
    public static final String RECOVERED = "RECOVERED";
    public static final String FAILED = "FAILED";
}
