package io.tideline.runtime;

import io.tideline.platform.local.PostgresTlsConfiguration;
import io.tideline.core.kafka.TopicsConfiguration;
import io.tideline.core.storage.ObjectStoreSettings;
import io.tideline.platform.local.FleetConfiguration;
import io.tideline.runtime.EmbeddedRuntime.RuntimeEndpoints;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The Micronaut properties of the runtime's one context: every service's beans pointed at the local
 * Kafka, S3 server, secret store and instances directory. Services keep their defaults in their own
 * {@code @ConfigurationProperties}; only what is specific to this deployment is set here.
 */
final class RuntimeProperties {

    private RuntimeProperties() {
    }

    static Map<String, Object> of(RuntimeHome home, RuntimePorts ports, RuntimeEndpoints endpoints, S3AdminKeys admin,
                                  RuntimeOptions options) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("micronaut.application.name", "tideline");
        p.put("micronaut.server.host", "127.0.0.1");
        p.put("micronaut.server.port", ports.http());
        p.put("endpoints.health.enabled", true);
        p.put("endpoints.health.sensitive", false);
        // Scraped without credentials, as /health is read: the runtime listens on loopback only, and
        // authentication of the management endpoints comes with the services' security (decisions).
        p.put("endpoints.prometheus.enabled", true);
        p.put("endpoints.prometheus.sensitive", false);
        p.put("kafka.bootstrap.servers", endpoints.kafkaBootstrapServers());
        p.putAll(RuntimeKafkaTls.serviceProperties(home));
        // One broker: topics cannot have more replicas than it, nor a write be on more than one.
        p.put(TopicsConfiguration.PREFIX + ".replication-factor", 1);
        p.put(TopicsConfiguration.PREFIX + ".min-insync-replicas", 1);
        p.put(TopicsConfiguration.PREFIX + ".create-on-startup", true);
        p.put(ObjectStoreSettings.PREFIX + ".endpoint", endpoints.s3().toString());
        p.put(ObjectStoreSettings.PREFIX + ".region", "us-east-1");
        p.put(ObjectStoreSettings.PREFIX + ".path-style", true);
        p.put(FleetConfiguration.HOME, home.root().toString());
        p.put(FleetConfiguration.SECRETS_DIR, home.secretsDir().toString());
        p.put(FleetConfiguration.STORAGE_ADMIN_ACCESS_KEY, admin.accessKey());
        p.put(FleetConfiguration.STORAGE_ADMIN_SECRET_KEY, admin.secretKey());
        p.put(FleetConfiguration.STORAGE_IDENTITIES_DIR, home.s3IdentitiesDir().toString());
        // the instances a restore makes get a server certificate, like those the CLI makes (ManagedInstances.config)
        p.put(PostgresTlsConfiguration.ENABLED, true);
        p.put("tideline.archiver.wal.flush-interval", options.walFlushInterval().toMillis() + "ms");
        p.putAll(RuntimeTls.properties(home, ports));
        p.putAll(options.extraProperties());
        return p;
    }
}
