package io.tideline.core.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micronaut.context.ApplicationContext;
import io.tideline.testkit.KafkaBroker;
import io.tideline.testkit.KafkaExtension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.common.config.ConfigResource;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(KafkaExtension.class)
class TopicCreatorIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final long ONE_YEAR_MS = Duration.ofDays(365).toMillis();

    private final KafkaBroker broker;

    TopicCreatorIT(KafkaBroker broker) {
        this.broker = broker;
    }

    @Test
    void tidelineTopicsExistWithTheirConfigsAndASecondRunChangesNothing() throws Exception {
        try (Admin admin = broker.adminClient()) {
            TopicCreator creator = new TopicCreator(admin, TIMEOUT);
            creator.ensure(Topics.specs(TopicsConfiguration.defaults()));

            TopicCreator.Result again = creator.ensure(Topics.specs(TopicsConfiguration.defaults()));

            assertEquals(List.of(), again.created());
            assertEquals(Map.of(), again.aligned());
            assertTrue(admin.listTopics().names().get().containsAll(Topics.ALL));
            Set<String> compacted = Set.of(Topics.INSTANCES, Topics.AGENTS); // latest state per key, not history
            for (String topic : compacted) {
                assertEquals("compact", config(admin, topic).get("cleanup.policy").value(), topic);
            }
            for (String topic : Topics.ALL) {
                if (!compacted.contains(topic)) {
                    Config config = config(admin, topic);
                    assertEquals("delete", config.get("cleanup.policy").value(), topic);
                    assertTrue(Long.parseLong(config.get("retention.ms").value()) >= ONE_YEAR_MS, topic + " keeps a year");
                }
            }
        }
    }

    @Test
    void missingTopicsAreCreatedWithPartitionsAndExistingOnesGetTheirConfigsAligned() throws Exception {
        String fresh = "it-fresh-" + UUID.randomUUID();
        String handMade = "it-handmade-" + UUID.randomUUID();
        // made earlier by someone else: one partition and a one-hour retention
        broker.createTopic(handMade, 1, Map.of("retention.ms", "3600000"));
        Map<String, String> wanted = Map.of("cleanup.policy", "delete", "retention.ms", Long.toString(ONE_YEAR_MS));
        List<TopicSpec> specs = List.of(new TopicSpec(fresh, 3, (short) 1, wanted), new TopicSpec(handMade, 3, (short) 1, wanted));

        try (Admin admin = broker.adminClient()) {
            TopicCreator.Result result = new TopicCreator(admin, TIMEOUT).ensure(specs);

            assertEquals(List.of(fresh), result.created());
            assertEquals(Map.of("retention.ms", Long.toString(ONE_YEAR_MS)), result.aligned().get(handMade));
            assertEquals(Map.of(handMade, 1), result.fewerPartitions());
            assertEquals(3, admin.describeTopics(List.of(fresh)).allTopicNames().get().get(fresh).partitions().size());
            assertEquals(1, admin.describeTopics(List.of(handMade)).allTopicNames().get().get(handMade).partitions().size(),
                    "existing partitions are never changed");
            awaitRetention(admin, handMade, Long.toString(ONE_YEAR_MS));
            assertEquals(Map.of(), result.fewerReplicas());
        }
    }

    @Test
    void anExistingTopicWithFewerReplicasThanConfiguredIsReportedAndLeftAsItIs() throws Exception {
        String handMade = "it-one-replica-" + UUID.randomUUID();
        broker.createTopic(handMade, 1, Map.of());
        // as a service configured for a cluster (RF 3) would see a topic an older single-broker setup made
        TopicSpec spec = new TopicSpec(handMade, 1, (short) 3, Map.of());

        try (Admin admin = broker.adminClient()) {
            TopicCreator.Result result = new TopicCreator(admin, TIMEOUT).ensure(List.of(spec));

            assertEquals(Map.of(handMade, 1), result.fewerReplicas());
            assertEquals(1, admin.describeTopics(List.of(handMade)).allTopicNames().get().get(handMade).partitions().get(0)
                    .replicas().size(), "replicas are never changed");
        }
    }

    @Test
    void servicesEnsureTheTopicsAtStartupUnlessToldNotTo() throws Exception {
        Map<String, Object> common = Map.of("kafka.bootstrap.servers", broker.bootstrapServers(), "spec.name", "TopicCreatorIT");
        try (Admin admin = broker.adminClient()) {
            new TopicCreator(admin, TIMEOUT).ensure(Topics.specs(TopicsConfiguration.defaults()));
            // an operator shortened the audit retention by hand; a service start puts it back
            setRetention(admin, Topics.RESTORE_REQUESTS, "3600000");
            awaitRetention(admin, Topics.RESTORE_REQUESTS, "3600000");
            try (ApplicationContext on = ApplicationContext.run(common)) {
                assertTrue(on.containsBean(TopicInitializer.class));
            }
            Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> assertTrue(
                    Long.parseLong(config(admin, Topics.RESTORE_REQUESTS).get("retention.ms").value()) >= ONE_YEAR_MS));

            setRetention(admin, Topics.RESTORE_REQUESTS, "3600000");
            awaitRetention(admin, Topics.RESTORE_REQUESTS, "3600000");
            Map<String, Object> off = new java.util.HashMap<>(common);
            off.put("tideline.kafka.topics.create-on-startup", "false");
            try (ApplicationContext context = ApplicationContext.run(off)) {
                assertFalse(context.containsBean(TopicInitializer.class));
            }
            assertEquals("3600000", config(admin, Topics.RESTORE_REQUESTS).get("retention.ms").value());
            new TopicCreator(admin, TIMEOUT).ensure(Topics.specs(TopicsConfiguration.defaults()));
        }
    }

    private static void setRetention(Admin admin, String topic, String millis) throws Exception {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        admin.incrementalAlterConfigs(Map.of(resource, List.of(new org.apache.kafka.clients.admin.AlterConfigOp(
                new org.apache.kafka.clients.admin.ConfigEntry("retention.ms", millis),
                org.apache.kafka.clients.admin.AlterConfigOp.OpType.SET)))).all().get();
    }

    /** A config change is committed by the controller and reaches the answering broker a moment later (KRaft). */
    private static void awaitRetention(Admin admin, String topic, String millis) {
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).untilAsserted(
                () -> assertEquals(millis, config(admin, topic).get("retention.ms").value(), topic));
    }

    private static Config config(Admin admin, String topic) throws Exception {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        return admin.describeConfigs(List.of(resource)).all().get().get(resource);
    }
}
