package io.tideline.testkit;

import io.tideline.core.kafka.EventPublisher;
import io.tideline.core.registry.InstanceOnboarding;
import io.tideline.core.storage.ObjectStoreSettings;
import io.tideline.core.storage.ObjectStores;
import io.tideline.platform.local.FleetConfiguration;
import io.tideline.platform.local.storage.EmbeddedStorageProvisioner;
import io.tideline.schemas.serde.EventCodec;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The whole fleet's real infrastructure for one test JVM — Kafka, the S3 server, PostgreSQL — and the
 * two things every service test needs from it: the Micronaut properties that point a service at it
 * ({@link #serviceProperties()}), and the same {@link InstanceOnboarding} that {@code tideline instance
 * create} uses, so tests make instances exactly as users do.
 */
public final class Fleet implements ExtensionContext.Store.CloseableResource {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(Fleet.class);

    private final KafkaBroker kafka;
    private final S3Server s3;
    private final PostgresClusters postgres;
    private final TestHome home;
    private final ObjectStoreSettings storeSettings;
    private final ObjectStores objectStores;
    private final EmbeddedStorageProvisioner storageProvisioner;
    private final EventPublisher publisher;
    private final InstanceOnboarding onboarding;

    private Fleet(KafkaBroker kafka, S3Server s3, PostgresClusters postgres, TestHome home) {
        this.home = home;
        this.kafka = kafka;
        this.s3 = s3;
        this.postgres = postgres;
        this.storeSettings = ObjectStoreSettings.defaults(s3.endpoint()).withRegion(s3.region());
        this.objectStores = new ObjectStores(storeSettings, postgres.secrets(), Clock.systemUTC());
        this.storageProvisioner = new EmbeddedStorageProvisioner(s3.adminClient(), s3.identitiesDir(),
                postgres.secrets(), storeSettings, Clock.systemUTC(), new SecureRandom());
        this.publisher = new EventPublisher(kafka.bootstrapServers(), EventCodec.standard());
        this.onboarding = new InstanceOnboarding(postgres.provisioner(), storageProvisioner, postgres.secrets(),
                publisher, Clock.systemUTC());
    }

    /** The JVM-wide fleet, started on first use. */
    public static Fleet of(ExtensionContext context) {
        KafkaBroker kafka = KafkaBroker.of(context);
        S3Server s3 = S3Server.of(context);
        PostgresClusters postgres = PostgresExtension.clusters(context);
        TestHome home = TestHome.of(context);
        return context.getRoot().getStore(NAMESPACE)
                .getOrComputeIfAbsent(Fleet.class, k -> new Fleet(kafka, s3, postgres, home), Fleet.class);
    }

    /**
     * Properties for a service's {@code ApplicationContext}: Kafka, the object store, the fleet's home,
     * secrets and provisioning identity. Tests add their own ({@code spec.name}, switches) on top.
     */
    public Map<String, Object> serviceProperties() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("kafka.bootstrap.servers", kafka.bootstrapServers());
        p.put(ObjectStoreSettings.PREFIX + ".endpoint", s3.endpoint().toString());
        p.put(ObjectStoreSettings.PREFIX + ".region", s3.region());
        p.put(ObjectStoreSettings.PREFIX + ".path-style", true);
        p.put(FleetConfiguration.HOME, postgres.home().toString());
        p.put(FleetConfiguration.SECRETS_DIR, home.secrets().root().toString());
        p.put(FleetConfiguration.STORAGE_ADMIN_ACCESS_KEY, s3.adminAccessKey());
        p.put(FleetConfiguration.STORAGE_ADMIN_SECRET_KEY, s3.adminSecretKey());
        p.put(FleetConfiguration.STORAGE_IDENTITIES_DIR, s3.identitiesDir().toString());
        p.put("micronaut.server.port", -1);
        return p;
    }

    public KafkaBroker kafka() {
        return kafka;
    }

    public S3Server s3() {
        return s3;
    }

    public PostgresClusters postgres() {
        return postgres;
    }

    public ObjectStores objectStores() {
        return objectStores;
    }

    public EmbeddedStorageProvisioner storageProvisioner() {
        return storageProvisioner;
    }

    public EventPublisher publisher() {
        return publisher;
    }

    public InstanceOnboarding onboarding() {
        return onboarding;
    }

    @Override
    public void close() {
        publisher.close();
        objectStores.close();
    }
}
