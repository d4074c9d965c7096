package io.tideline.restore;

import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Requires;
import io.tideline.core.ids.InstanceId;
import io.tideline.core.inventory.BucketInventoryReader;
import io.tideline.core.registry.InstanceRegistry;
import io.tideline.core.registry.RegisteredInstance;
import io.tideline.core.storage.BucketLayout;
import io.tideline.core.storage.ObjectStores;
import io.tideline.core.window.BucketInventory;
import io.tideline.core.window.Damage;
import io.tideline.schemas.serde.EventCodec;
import io.tideline.restore.wal.WalServer;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Beans of the restore service that are plain classes, and its seams bound to core's Kafka and S3 classes. */
@Factory
class RestoreFactory {

    private static final Logger LOG = LoggerFactory.getLogger(RestoreFactory.class);

    @Singleton
    @Bean(preDestroy = "close")
    @Requires(property = RestoreConfiguration.ENABLED, notEquals = "false")
    WalServer walServer(RestoreConfiguration config) {
        // Enough fetch threads for every running restore to prefetch at once.
        int threads = Math.max(2, config.walPrefetch() * config.maxConcurrentRestores());
        return new WalServer(config.walPrefetch(), threads);
    }

    /** The restore agents' announcements, for the {@code agent} platform. */
    @Singleton
    @Bean(preDestroy = "close")
    @Requires(property = InstancePlatformConfiguration.TYPE, value = "agent")
    AgentDirectory agentDirectory(io.tideline.core.kafka.KafkaClients kafka, EventCodec codec) {
        return new AgentDirectory(kafka.connection(io.tideline.core.kafka.KafkaPrincipals.RESTORE), codec).start();
    }

    @Singleton
    @Requires(property = InstancePlatformConfiguration.TYPE, value = "agent")
    AgentClient agentClient(io.micronaut.serde.ObjectMapper json, InstancePlatformConfiguration platform,
                            io.tideline.core.tls.TlsSettings tls, io.tideline.core.secrets.SecretStore secrets,
                            java.time.Clock clock) {
        // One call waits at most half the agent timeout, so a silent agent is noticed in time.
        return new AgentClient(json, platform.agentTimeout().dividedBy(2),
                AgentClientTls.context(platform.agentClientIdentity(), tls, secrets, clock));
    }

    @Singleton
    FleetRegistry fleetRegistry(InstanceRegistry registry) {
        return new FleetRegistry() {
            @Override
            public Optional<RegisteredInstance> find(InstanceId id) {
                return registry.find(id);
            }

            @Override
            public Optional<RegisteredInstance> findByName(String name) {
                return registry.findByName(name);
            }

            @Override
            public boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
                return registry.awaitCaughtUp(timeout);
            }
        };
    }

    /**
     * Transactions and restore points, read from the source's bucket. Also where the restore service is off:
     * the Backups view's API validates requests with the same rules ({@code view.RequestCheck}).
     */
    @Singleton
    TargetFacts targetFacts(ObjectStores stores) {
        return new StoredTargetFacts(stores::forInstance);
    }

    @Singleton
    @Bean(preDestroy = "close")
    @Requires(property = RestoreConfiguration.ENABLED, notEquals = "false")
    @Requires(property = "kafka.bootstrap.servers")
    KnownDamage knownDamage(io.tideline.core.kafka.KafkaClients kafka, EventCodec codec) {
        return new KnownDamage(kafka.connection(io.tideline.core.kafka.KafkaPrincipals.RESTORE), codec).start();
    }

    /**
     * The source's bucket as {@link BucketInventoryReader} reads it; objects it cannot understand are logged.
     * Damage comes from the event log ({@link KnownDamage}).
     */
    @Singleton
    @Requires(property = RestoreConfiguration.ENABLED, notEquals = "false")
    SourceInventory sourceInventory(ObjectStores stores, KnownDamage damage) {
        return new SourceInventory() {
            @Override
            public BucketInventory of(RegisteredInstance source) {
                BucketInventoryReader.BucketScan scan = new BucketInventoryReader(BucketLayout.forSegmentSize(source.walSegmentSize()))
                        .read(stores.forInstance(source.id()));
                scan.problems().forEach(p -> LOG.warn("bucket of {}: {}", source.id(), p));
                return scan.inventory();
            }

            @Override
            public Damage damageIn(RegisteredInstance source, BucketInventory inventory) {
                return damage.damageIn(source.id(), inventory);
            }
        };
    }
}
