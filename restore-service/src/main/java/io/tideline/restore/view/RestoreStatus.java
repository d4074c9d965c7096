package io.tideline.restore.view;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;
import java.util.List;

/**
 * What is known of one restore, for {@code GET /api/restores/{restoreId}} and the page that follows it.
 * Times are UTC ISO-8601 strings.
 *
 * @param state       {@code REQUESTED}, {@code ACCEPTED}, {@code IN_PROGRESS}, {@code COMPLETED},
 *                    {@code REJECTED} or {@code FAILED}; the last three are final
 * @param phase       the last reported phase while in progress ({@code RestorePhase})
 * @param reason      why it was rejected or failed
 * @param connection  how to reach the new instance once completed
 * @param history     one line per event, oldest first
 * @param requestedBy who asked (issue 14.2: {@code user:<name>} of the signed-in person, written by the server;
 *                    {@code drill} and the like for Tideline's own); null when the request was not seen
 */
@Serdeable
public record RestoreStatus(String restoreId, String instanceId, String state, @Nullable String target,
                            @Nullable String newName, @Nullable String newInstanceId, @Nullable String backupId,
                            @Nullable String phase, @Nullable String message, @Nullable Long bytesDone,
                            @Nullable Long bytesTotal, @Nullable String reason, @Nullable Connection connection,
                            @Nullable String recoveredTo, String updatedAt, List<Step> history,
                            @Nullable String requestedBy) {

    public static final String REQUESTED = "REQUESTED";
    public static final String ACCEPTED = "ACCEPTED";
    public static final String IN_PROGRESS = "IN_PROGRESS";
    public static final String COMPLETED = "COMPLETED";
    public static final String REJECTED = "REJECTED";
    public static final String FAILED = "FAILED";

    public RestoreStatus {
        history = List.copyOf(history);
    }

    public boolean isFinal() {
        return COMPLETED.equals(state) || REJECTED.equals(state) || FAILED.equals(state);
    }

    /** Host, port, database, user and the reference of the password in the secret store (never the password). */
    @Serdeable
    public record Connection(String host, int port, String database, String user, String secretRef) {
    }

    /** One event of the restore. */
    @Serdeable
    public record Step(String at, String event, String text) {
    }
}
