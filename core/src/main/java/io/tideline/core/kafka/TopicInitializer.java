package io.tideline.core.kafka;

import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Requires;
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
 *
 * <p>With TLS ({@link KafkaSecurityConfiguration}) it works as the admin principal, and also creates the
 * ACLs of {@link KafkaAcls} (idempotent), before any listener subscribes.
 */
@Context
@Requires(property = TopicsConfiguration.PREFIX + ".create-on-startup", notEquals = StringUtils.FALSE)
public class TopicInitializer {

    /** How long one admin call may take before startup fails. */
    public static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);

    private final TopicsConfiguration configuration;
    private final KafkaClients kafka;

    public TopicInitializer(TopicsConfiguration configuration, KafkaClients kafka) {
        this.configuration = configuration;
        this.kafka = kafka;
    }

    @PostConstruct
    void ensureTopics() {
        KafkaSecurityConfiguration security = kafka.security();
        KafkaConnection connection = security.tls() ? kafka.connection(KafkaPrincipals.ADMIN) : kafka.processConnection();
        Map<String, Object> config = connection.config();
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) ADMIN_TIMEOUT.toMillis());
        try (Admin admin = Admin.create(config)) {
            new TopicCreator(admin, ADMIN_TIMEOUT).ensure(Topics.specs(configuration));
            if (security.tls()) {
                new AclInstaller(admin, ADMIN_TIMEOUT).ensure(KafkaAcls.table(security.frontDoors()));
            }
        }
    }
}
