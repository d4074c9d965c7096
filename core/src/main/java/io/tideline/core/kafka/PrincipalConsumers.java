package io.tideline.core.kafka;

import io.micronaut.configuration.kafka.KafkaConsumerFactory;
import io.micronaut.configuration.kafka.config.AbstractKafkaConsumerConfiguration;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Parameter;
import io.micronaut.context.annotation.Prototype;
import io.micronaut.context.annotation.Replaces;
import java.util.Properties;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;

/**
 * The consumers of the {@code @KafkaListener}s, made by micronaut-kafka's own factory after the group's
 * owner's credentials are put in: a listener of group {@code tideline-archiver…} connects as
 * {@code archiver} ({@link KafkaPrincipals#ownerOfGroup}), also when the four services share one context.
 * A group no service owns connects as the process principal. Without TLS nothing is added.
 */
@Factory
public class PrincipalConsumers {

    private final KafkaClients kafka;
    private final KafkaConsumerFactory delegate = new KafkaConsumerFactory();

    public PrincipalConsumers(KafkaClients kafka) {
        this.kafka = kafka;
    }

    @Prototype
    @Replaces(bean = Consumer.class, factory = KafkaConsumerFactory.class)
    public <K, V> Consumer<K, V> createConsumer(@Parameter AbstractKafkaConsumerConfiguration<K, V> configuration) {
        Properties config = configuration.getConfig();
        String group = config.getProperty(ConsumerConfig.GROUP_ID_CONFIG);
        KafkaConnection connection = KafkaPrincipals.ownerOfGroup(group).map(kafka::connection).orElse(kafka.processConnection());
        config.putAll(connection.security());
        return delegate.createConsumer(configuration);
    }
}
