package io.tideline.restore;

import io.tideline.core.ids.RestoreId;
import io.tideline.schemas.RestoreRequested;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A decoded {@code RestoreRequested}. Only what makes the record unanswerable is checked here (no
 * restore id to answer to); everything a person could get wrong (instance, time, name) is the
 * validator's, which answers with {@code RestoreRejected}.
 *
 * @param source   the source instance id exactly as requested (may name no instance)
 * @param target   the target exactly as requested (may be malformed)
 * @param newName  the requested name of the new instance, if any
 * @param exclusive stop just before the target's transaction or record (v2 field; v1 requests are inclusive)
 */
public record RestoreRequest(RestoreId restoreId, String source, String target, Optional<String> newName,
                             String requestedBy, Instant requestedAt, boolean exclusive) {

    public RestoreRequest(RestoreId restoreId, String source, String target, Optional<String> newName, String requestedBy,
                          Instant requestedAt) {
        this(restoreId, source, target, newName, requestedBy, requestedAt, false);
    }

    public RestoreRequest {
        Objects.requireNonNull(restoreId, "restoreId");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(newName, "newName");
        Objects.requireNonNull(requestedBy, "requestedBy");
        Objects.requireNonNull(requestedAt, "requestedAt");
    }

    /**
     * @param key the record's key, which must be the source instance (all events of a restore are keyed
     *            by it, so they stay in order with the request)
     * @throws IllegalArgumentException when the record cannot be answered at all
     */
    public static RestoreRequest from(String key, RestoreRequested event) {
        RestoreId id = RestoreId.of(event.getRestoreId());
        if (key == null || !key.equals(event.getInstanceId())) {
            throw new IllegalArgumentException("restore request " + id + " is keyed '" + key + "' but names source instance '"
                    + event.getInstanceId() + "'");
        }
        String name = event.getNewName();
        return new RestoreRequest(id, event.getInstanceId(), event.getTarget(),
                name == null || name.isBlank() ? Optional.empty() : Optional.of(name.strip()),
                event.getRequestedBy(), event.getOccurredAt(), event.getExclusive());
    }
}
