package io.tideline.restore.view;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;
import io.tideline.core.registry.RegisteredInstance;

/** An instance as {@code GET /api/instances} lists it: how to reach it and where its backups live, no secrets. */
@Serdeable
public record InstanceSummary(String id, String name, String host, int port, String database, int postgresVersion,
                              String bucket, @Nullable Integer retentionDays, @Nullable String restoredFrom,
                              String registeredAt) {

    public static InstanceSummary of(RegisteredInstance i) {
        return new InstanceSummary(i.id().value(), i.name(), i.host(), i.port(), i.database(), i.postgresVersion(), i.bucket(),
                i.retentionDays().orElse(null),
                i.restoredFrom().map(o -> o.sourceInstanceId().value() + " (restore " + o.restoreId() + ")").orElse(null),
                i.registeredAt().toString());
    }
}
