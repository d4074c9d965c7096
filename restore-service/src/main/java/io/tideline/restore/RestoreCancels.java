package io.tideline.restore;

import io.micronaut.context.annotation.Requires;
import io.tideline.core.ids.RestoreId;
import io.tideline.schemas.RestoreCancelRequested;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers {@code RestoreCancelRequested}: a restore running here is told to stop (it then fails with
 * "cancelled by ..." and removes what it made, through the same path as any failure). A cancel for a
 * restore that does not run here has nothing to stop: it ended already (its end is in the log), or it
 * was never accepted; requests are keyed by the source, so the replica running a restore reads its cancel.
 */
@Singleton
@Requires(property = RestoreConfiguration.ENABLED, notEquals = "false")
final class RestoreCancels {

    private static final Logger LOG = LoggerFactory.getLogger(RestoreCancels.class);

    private final RestoreRunner runner;

    RestoreCancels(RestoreRunner runner) {
        this.runner = runner;
    }

    void handle(RestoreCancelRequested cancel) {
        RestoreId id;
        try {
            id = RestoreId.of(cancel.getRestoreId());
        } catch (IllegalArgumentException e) {
            LOG.warn("cancel of '{}' by {} ignored: not a restore id", cancel.getRestoreId(), cancel.getRequestedBy());
            return;
        }
        if (runner.cancel(id, cancel.getRequestedBy())) {
            LOG.info("restore {} of {}: cancelled by {}, stopping and removing what it made", id, cancel.getInstanceId(),
                    cancel.getRequestedBy());
        } else {
            LOG.info("cancel of restore {} by {} ignored: it does not run here (ended already, or never accepted)", id,
                    cancel.getRequestedBy());
        }
    }
}
