package io.tideline.core.kafka;

import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Primary;
import io.tideline.schemas.serde.EventCodec;
import jakarta.inject.Named;
import jakarta.inject.Singleton;

/**
 * One publisher per principal: each service injects its own ({@code @Named(KafkaPrincipals.ARCHIVER)}),
 * so when the four services share one context (the embedded runtime, a fleet service host) every record
 * is still written under the principal of the service that wrote it and Kafka's ACLs apply to it. The
 * unnamed publisher is the process principal's ({@code tideline.kafka.security.principal}). A publisher
 * is made when something injects it.
 */
@Factory
public class EventPublishers {

    @Primary
    @Singleton
    @Bean(preDestroy = "close")
    EventPublisher processPublisher(KafkaClients clients, EventCodec codec) {
        return new EventPublisher(clients.processConnection(), codec);
    }

    @Named(KafkaPrincipals.SCHEDULER)
    @Singleton
    @Bean(preDestroy = "close")
    EventPublisher scheduler(KafkaClients clients, EventCodec codec) {
        return new EventPublisher(clients.connection(KafkaPrincipals.SCHEDULER), codec);
    }

    @Named(KafkaPrincipals.ARCHIVER)
    @Singleton
    @Bean(preDestroy = "close")
    EventPublisher archiver(KafkaClients clients, EventCodec codec) {
        return new EventPublisher(clients.connection(KafkaPrincipals.ARCHIVER), codec);
    }

    @Named(KafkaPrincipals.RETENTION)
    @Singleton
    @Bean(preDestroy = "close")
    EventPublisher retention(KafkaClients clients, EventCodec codec) {
        return new EventPublisher(clients.connection(KafkaPrincipals.RETENTION), codec);
    }

    @Named(KafkaPrincipals.RESTORE)
    @Singleton
    @Bean(preDestroy = "close")
    EventPublisher restore(KafkaClients clients, EventCodec codec) {
        return new EventPublisher(clients.connection(KafkaPrincipals.RESTORE), codec);
    }
}
