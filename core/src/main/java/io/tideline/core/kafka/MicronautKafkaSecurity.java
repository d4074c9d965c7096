package io.tideline.core.kafka;

import io.micronaut.configuration.kafka.config.KafkaDefaultConfiguration;
import io.micronaut.context.event.BeanCreatedEvent;
import io.micronaut.context.event.BeanCreatedEventListener;
import jakarta.inject.Singleton;

/**
 * Gives micronaut-kafka's defaults ({@code kafka.*}: the base of every listener's consumer and of its
 * Kafka health check) the process principal's security settings, so they are declared once
 * ({@code tideline.kafka.security.*}); each listener's consumer then gets its group owner's
 * ({@link PrincipalConsumers}).
 */
@Singleton
public class MicronautKafkaSecurity implements BeanCreatedEventListener<KafkaDefaultConfiguration> {

    private final KafkaClients kafka;

    public MicronautKafkaSecurity(KafkaClients kafka) {
        this.kafka = kafka;
    }

    @Override
    public KafkaDefaultConfiguration onCreated(BeanCreatedEvent<KafkaDefaultConfiguration> event) {
        KafkaDefaultConfiguration configuration = event.getBean();
        configuration.getConfig().putAll(kafka.processConnection().security());
        return configuration;
    }
}
