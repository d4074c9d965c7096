package io.tideline.restore.view;

import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Requires;
import io.tideline.core.instance.InstanceProvisioner;
import io.tideline.core.inventory.BucketInventoryReader;
import io.tideline.core.kafka.Topics;
import io.tideline.core.registry.InstanceRegistry;
import io.tideline.core.storage.BucketLayout;
import io.tideline.core.storage.ObjectStores;
import io.tideline.restore.RestoreValidator;
import io.tideline.restore.TargetFacts;
import io.tideline.schemas.serde.EventCodec;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

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
    ViewEventsReader viewEventsReader(io.tideline.core.kafka.KafkaClients kafka, EventCodec codec,
                                      ViewEvents events) {
        return new ViewEventsReader(kafka.connection(io.tideline.core.kafka.KafkaPrincipals.RESTORE),
                List.of(Topics.RESTORE_REQUESTS, Topics.RESTORE_EVENTS, Topics.TIMELINE), codec, events).start();
    }

    @Singleton
    BackupsViewReader backupsViewReader(InstanceRegistry registry, ObjectStores stores, ViewEvents events, Clock clock,
                                ViewEventsReader started) {
        return new BackupsViewReader(registry, stores, events, clock);
    }

    /**
     * The API's check of a restore request before it publishes one: the restore service's validator over the
     * registry, the bucket (read as the service reads it), the damage and restores the view knows of.
     */
    @Singleton
    RequestCheck requestCheck(InstanceRegistry registry, Optional<InstanceProvisioner> servers, ObjectStores stores,
                              ViewEvents events, TargetFacts facts, Clock clock) {
        RestoreValidator validator = new RestoreValidator(new ViewFleet(registry, servers, events, clock),
                source -> new BucketInventoryReader(BucketLayout.forSegmentSize(source.walSegmentSize()))
                        .read(stores.forInstance(source.id())).inventory(),
                (source, inventory) -> events.damageIn(source.id(), inventory), facts);
        return new RequestCheck(validator, clock);
    }
}
