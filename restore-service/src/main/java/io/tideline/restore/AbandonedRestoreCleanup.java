package io.tideline.restore;

import io.micronaut.context.annotation.Requires;
import io.tideline.core.ids.InstanceId;
import io.tideline.core.registry.RegisteredInstance;
import jakarta.inject.Singleton;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fails a restore that was accepted by a replica that then stopped (crash, restart, hand-over): removes
 * what it had made of its new instance ({@link HalfMadeInstances}) — unless that id is now registered by
 * someone else — and publishes {@code RestoreFailed} saying so. Never resumes a restore half-way.
 */
@Singleton
@Requires(property = RestoreConfiguration.ENABLED, notEquals = "false")
final class AbandonedRestoreCleanup {

    private static final Logger LOG = LoggerFactory.getLogger(AbandonedRestoreCleanup.class);

    private final FleetRegistry registry;
    private final HalfMadeInstances halfMade;
    private final RestoreEvents events;
    private final InstancePlatform platform;

    AbandonedRestoreCleanup(FleetRegistry registry, HalfMadeInstances halfMade, RestoreEvents events, InstancePlatform platform) {
        this.platform = platform;
        this.registry = registry;
        this.halfMade = halfMade;
        this.events = events;
    }

    void fail(RestoreLedger.Entry entry) {
        Optional<InstanceId> made = entry.newInstance().map(InstanceId::of);
        String cleanup;
        if (made.isEmpty()) {
            cleanup = "no instance had been made";
        } else {
            Optional<RegisteredInstance> registered = registry.find(made.get());
            boolean someoneElses = registered.isPresent() && registered.get().restoredFrom()
                    .map(o -> !o.restoreId().equals(entry.restoreId().value())).orElse(true);
            cleanup = someoneElses
                    ? "instance " + made.get() + " is registered by someone else and was left alone"
                    : halfMade.remove(entry.restoreId(), made.get(), false, true, true, platform::removeServer);
        }
        LOG.warn("restore {} of {} was accepted but nobody runs it any more: failing it ({})", entry.restoreId(), entry.source(), cleanup);
        events.failed(entry.restoreId(), entry.source(), "the restore service stopped before this restore finished "
                + "(restart or hand-over to another replica); " + cleanup + " — ask again", entry.newInstance());
    }
}
