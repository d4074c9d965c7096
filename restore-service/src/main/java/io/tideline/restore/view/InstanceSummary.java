package io.tideline.restore.view;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;
import io.tideline.core.registry.RegisteredInstance;
import java.util.Optional;
import java.util.function.Function;

/** An instance as {@code GET /api/instances} lists it: how to reach it and where its backups live, no secrets. */
@Serdeable
public record InstanceSummary(String id, String name, String host, int port, String database, int postgresVersion,
                              String bucket, @Nullable Integer retentionDays, @Nullable RestoredFrom restoredFrom,
                              String registeredAt) {

    /**
     * Where a restored instance came from (issue 16: an object, no longer one string).
     *
     * @param sourceInstanceId the instance it was restored from
     * @param sourceName       that instance's name, while it is registered
     * @param restoreId        the restore that made it ({@code GET /api/restores/{restoreId}})
     * @param target           the recovery target asked for, while the event log still holds the request
     */
    @Serdeable
    public record RestoredFrom(String sourceInstanceId, @Nullable String sourceName, String restoreId, @Nullable String target) {
    }

    /** @param origins completes a registration's origin with what the registry and the event log know of it */
    public static InstanceSummary of(RegisteredInstance i, Function<RegisteredInstance.Origin, RestoredFrom> origins) {
        return new InstanceSummary(i.id().value(), i.name(), i.host(), i.port(), i.database(), i.postgresVersion(), i.bucket(),
                i.retentionDays().orElse(null), i.restoredFrom().map(origins).orElse(null), i.registeredAt().toString());
    }

    /** The origin as the registration alone tells it (no name, no target). */
    public static RestoredFrom bare(RegisteredInstance.Origin o) {
        return new RestoredFrom(o.sourceInstanceId().value(), null, o.restoreId(), null);
    }

    static RestoredFrom complete(RegisteredInstance.Origin o, Optional<RegisteredInstance> source, Optional<RestoreStatus> restore) {
        return new RestoredFrom(o.sourceInstanceId().value(), source.map(RegisteredInstance::name).orElse(null), o.restoreId(),
                restore.map(RestoreStatus::target).orElse(null));
    }
}
