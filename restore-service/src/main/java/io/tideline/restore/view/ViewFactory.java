package io.tideline.restore.view;

import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.annotation.Value;
import io.tideline.core.kafka.Topics;
import io.tideline.core.registry.InstanceRegistry;
import io.tideline.core.storage.ObjectStores;
import io.tideline.schemas.serde.EventCodec;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.util.List;

/** The Backups view's plain classes as beans; off with {@code tideline.restore.view.enabled=false}. */
@Factory
@Requires(property = ViewFactory.ENABLED, notEquals = "false")
@Requires(property = "kafka.bootstrap.servers")
public class ViewFactory {

    public static final String ENABLED = "tideline.restore.view.enabled";
    /** Who a request made from the view says asked for it ({@code RestoreRequested.requestedBy}). */
    public static final String REQUESTED_BY = "backups-view";

    @Singleton
    ViewEvents viewEvents() {
        return new ViewEvents();
    }

    @Singleton
    @Bean(preDestroy = "close")
    ViewEventsReader viewEventsReader(@Value("${kafka.bootstrap.servers}") String bootstrapServers, EventCodec codec,
                                      ViewEvents events) {
        return new ViewEventsReader(bootstrapServers,
                List.of(Topics.RESTORE_REQUESTS, Topics.RESTORE_EVENTS, Topics.TIMELINE), codec, events).start();
    }

    @Singleton
    BackupsViewReader backupsViewReader(InstanceRegistry registry, ObjectStores stores, ViewEvents events, Clock clock,
                                ViewEventsReader started) {
        return new BackupsViewReader(registry, stores, events, clock);
    }
}
