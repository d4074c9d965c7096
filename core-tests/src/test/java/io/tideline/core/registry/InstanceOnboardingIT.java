package io.tideline.core.registry;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micronaut.context.ApplicationContext;
import io.tideline.core.ids.InstanceId;
import io.tideline.core.kafka.Topics;
import io.tideline.core.storage.ObjectStore;
import io.tideline.schemas.serde.EventCodec;
import io.tideline.testkit.Fleet;
import io.tideline.testkit.FleetExtension;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Onboarding makes a server, a bucket and a registration that every replica's registry sees. */
@ExtendWith(FleetExtension.class)
class InstanceOnboardingIT {

    @Test
    void createRegistersAReachableInstanceWithItsOwnBucketAndRemoveUndoesIt(Fleet fleet) throws Exception {
        InstanceId id = fleet.postgres().newId("onboard");
        fleet.kafka().createTopic(Topics.INSTANCES, 3, Map.of("cleanup.policy", "compact"));
        try (InstanceRegistry registry = new InstanceRegistry(fleet.kafka().bootstrapServers(), Topics.INSTANCES, EventCodec.standard()).start()) {
            RegisteredInstance made = fleet.onboarding().create(id, "orders-db",
                    new InstanceOnboarding.Options(Optional.of(125), Optional.of(3)));

            await().atMost(Duration.ofSeconds(30)).until(() -> registry.find(id).isPresent());
            RegisteredInstance seen = registry.find(id).orElseThrow();
            assertEquals(made, seen, "what the registry reads is what was registered");
            assertEquals("orders-db", seen.name());
            assertEquals(15, seen.postgresVersion());
            assertEquals(16L * 1024 * 1024, seen.walSegmentSize());
            assertEquals(Optional.of(125), seen.backupWindowStartMinuteUtc());
            assertEquals("tideline-" + id.value(), seen.bucket());

            // The registration is enough to reach the server...
            try (Connection c = java.sql.DriverManager.getConnection(seen.jdbcUrl(), seen.superuser(),
                    fleet.postgres().secrets().get(seen.superuserSecret()));
                 ResultSet rs = c.createStatement().executeQuery("SELECT current_setting('wal_level')")) {
                assertTrue(rs.next());
                assertEquals("replica", rs.getString(1));
            }
            // ...and the instance's own bucket, with its own credentials.
            ObjectStore store = fleet.objectStores().forInstance(id);
            store.put("probe", "x".getBytes(StandardCharsets.UTF_8), Map.of());
            assertTrue(store.head("probe").isPresent());

            fleet.onboarding().remove(id);
            await().atMost(Duration.ofSeconds(30)).until(() -> registry.find(id).isEmpty());
            assertTrue(fleet.postgres().provisioner().find(id).isEmpty());
            fleet.objectStores().evict(id);
        }
    }

    @Test
    void servicesGetTheFleetBeansFromTheFleetProperties(Fleet fleet) {
        Map<String, Object> props = new HashMap<>(fleet.serviceProperties());
        try (ApplicationContext ctx = ApplicationContext.run(props)) {
            assertTrue(ctx.containsBean(InstanceOnboarding.class));
            assertTrue(ctx.containsBean(InstanceRegistry.class));
            assertTrue(ctx.containsBean(java.time.Clock.class));
        }
    }

    @Test
    void aStepThatFailsLeavesNoServerBehind(Fleet fleet) {
        InstanceId id = fleet.postgres().newId("onboard-fail");
        fleet.s3().stop();
        try {
            assertThrows(RuntimeException.class, () -> fleet.onboarding().create(id, "doomed", InstanceOnboarding.Options.defaults()));
        } finally {
            fleet.s3().start();
        }
        assertTrue(fleet.postgres().provisioner().find(id).isEmpty(), "the server made before the bucket failed is removed");
    }
}
