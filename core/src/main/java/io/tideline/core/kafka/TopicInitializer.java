package io.tideline.core.kafka;

import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.annotation.Value;
import io.micronaut.core.util.StringUtils;
import jakarta.annotation.PostConstruct;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * Ensures Tideline's topics when a service starts. A {@link Context} bean: Micronaut creates it
 * while starting the context, before the {@code @KafkaListener}s subscribe, so no consumer ever
 * sees a missing topic (the broker must not auto-create them with the wrong configs).
 * Off with {@code tideline.kafka.topics.create-on-startup=false} (e.g. when an operator owns topics).
 */
@Context
@Requires(property = TopicsConfiguration.PREFIX + ".create-on-startup", notEquals = StringUtils.FALSE)
public class TopicInitializer {

    /** How long one admin call may take before startup fails. */
    public static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);

    private final TopicsConfiguration configuration;
    private final String bootstrapServers;

    public TopicInitializer(TopicsConfiguration configuration,
            @Value("${kafka.bootstrap.servers:`localhost:9092`}") String bootstrapServers) {
        this.configuration = configuration;
        this.bootstrapServers = bootstrapServers;
    }

    @PostConstruct
    void ensureTopics() {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) ADMIN_TIMEOUT.toMillis()))) {
            new TopicCreator(admin, ADMIN_TIMEOUT).ensure(Topics.specs(configuration));
        }
    }
}
