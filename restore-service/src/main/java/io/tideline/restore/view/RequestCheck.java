package io.tideline.restore.view;

import io.tideline.core.storage.StorageException;
import io.tideline.restore.RestoreRequest;
import io.tideline.restore.RestoreValidator;
import java.time.Clock;
import java.util.List;

/**
 * Checks a restore request before the API publishes it, with the restore service's own
 * {@link RestoreValidator} (one rule set: what the API refuses is what the service would reject, and a
 * request published by another client is still answered with {@code RestoreRejected}). An unreadable
 * bucket is no verdict: {@link RestoreValidator.Kind#UNAVAILABLE}.
 */
public final class RequestCheck {

    private final RestoreValidator validator;
    private final Clock clock;

    public RequestCheck(RestoreValidator validator, Clock clock) {
        this.validator = validator;
        this.clock = clock;
    }

    /** What is wrong with the request itself (every field at once); empty when it is well formed. */
    public List<RestoreValidator.Decision.Reject> malformed(RestoreRequest request) {
        return RestoreValidator.malformedFields(request);
    }

    public RestoreValidator.Decision check(RestoreRequest request) {
        try {
            return validator.validate(request, clock.instant());
        } catch (StorageException e) {
            return new RestoreValidator.Decision.Reject("the backups of " + request.source() + " cannot be read from its bucket now ("
                    + e.getMessage() + "); nothing was requested — ask again later", RestoreValidator.FIELD_INSTANCE,
                    RestoreValidator.Kind.UNAVAILABLE);
        }
    }
}
