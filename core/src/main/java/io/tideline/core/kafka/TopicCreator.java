package io.tideline.core.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes topics exist with the wanted configs; idempotent, so every service may run it at start.
 *
 * <p>Missing topics are created. Existing topics keep their partitions (adding partitions would
 * move instance ids to other partitions and break per-instance ordering: that is an operator's
 * decision), but their topic-level configs are aligned to the spec, so a topic made earlier by hand
 * or by an older version still gets e.g. the one-year retention the audit needs.
 */
public final class TopicCreator {

    private static final Logger LOG = LoggerFactory.getLogger(TopicCreator.class);

    /** What {@link #ensure} did. */
    /**
     * @param fewerPartitions existing topics with fewer partitions than their spec, and how many they have (left so)
     * @param fewerReplicas   existing topics with a partition of fewer replicas than the spec's replication factor,
     *                        and the fewest found (left so: adding replicas is a reassignment an operator plans)
     */
    public record Result(List<String> created, Map<String, Map<String, String>> aligned, Map<String, Integer> fewerPartitions,
                         Map<String, Integer> fewerReplicas) {
        public Result {
            created = List.copyOf(created);
            aligned = Map.copyOf(aligned);
            fewerPartitions = Map.copyOf(fewerPartitions);
            fewerReplicas = Map.copyOf(fewerReplicas);
        }
    }

    /** 10 × 500 ms: metadata of a new topic reaches every broker within a second or two, even on a loaded host. */
    static final int UNKNOWN_TOPIC_ATTEMPTS = 10;
    static final Duration UNKNOWN_TOPIC_PAUSE = Duration.ofMillis(500);

    private final Admin admin;
    private final Duration timeout;

    /** @param admin not closed by this class; {@code timeout} bounds each admin call */
    public TopicCreator(Admin admin, Duration timeout) {
        this.admin = admin;
        this.timeout = timeout;
    }

    public Result ensure(Collection<TopicSpec> specs) {
        Set<String> existing = await(admin.listTopics().names(), "list topics");
        List<String> created = new ArrayList<>();
        List<NewTopic> missing = specs.stream().filter(s -> !existing.contains(s.name())).map(TopicSpec::toNewTopic).toList();
        if (!missing.isEmpty()) {
            for (Map.Entry<String, KafkaFuture<Void>> entry : admin.createTopics(missing).values().entrySet()) {
                try {
                    await(entry.getValue(), "create topic " + entry.getKey());
                    created.add(entry.getKey());
                    LOG.info("created topic {}", entry.getKey());
                } catch (KafkaAdminException e) {
                    // another service created it between our listing and our request: fine
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
            }
        }
        Map<String, Map<String, String>> aligned = alignConfigs(specs);
        Map<String, TopicDescription> descriptions = awaitKnown(
                () -> admin.describeTopics(specs.stream().map(TopicSpec::name).toList()).allTopicNames(), "describe topics");
        return new Result(created, aligned, fewerPartitions(specs, descriptions), fewerReplicas(specs, descriptions));
    }

    private Map<String, Map<String, String>> alignConfigs(Collection<TopicSpec> specs) {
        List<ConfigResource> resources = specs.stream().map(s -> new ConfigResource(ConfigResource.Type.TOPIC, s.name())).toList();
        Map<ConfigResource, Config> current = awaitKnown(() -> admin.describeConfigs(resources).all(), "describe topic configs");
        Map<ConfigResource, Collection<AlterConfigOp>> changes = new HashMap<>();
        Map<String, Map<String, String>> aligned = new LinkedHashMap<>();
        for (TopicSpec spec : specs) {
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, spec.name());
            Config config = current.get(resource);
            Map<String, String> differing = new LinkedHashMap<>();
            spec.configs().forEach((key, wanted) -> {
                ConfigEntry entry = config == null ? null : config.get(key);
                if (entry == null || !wanted.equals(entry.value())) {
                    differing.put(key, wanted);
                }
            });
            if (!differing.isEmpty()) {
                changes.put(resource, differing.entrySet().stream()
                        .map(e -> new AlterConfigOp(new ConfigEntry(e.getKey(), e.getValue()), AlterConfigOp.OpType.SET))
                        .toList());
                aligned.put(spec.name(), differing);
                LOG.warn("topic {} had configs that differ from Tideline's, setting {}", spec.name(), differing);
            }
        }
        if (!changes.isEmpty()) {
            await(admin.incrementalAlterConfigs(changes).all(), "align topic configs");
        }
        return aligned;
    }

    private static Map<String, Integer> fewerPartitions(Collection<TopicSpec> specs, Map<String, TopicDescription> descriptions) {
        Map<String, Integer> fewer = new LinkedHashMap<>();
        for (TopicSpec spec : specs) {
            int actual = descriptions.get(spec.name()).partitions().size();
            if (actual < spec.partitions()) {
                fewer.put(spec.name(), actual);
                // Not grown: adding partitions re-maps instance ids (docs/decisions.md, "Partitions are never added at start").
                LOG.warn("topic {} has {} partitions, fewer than the configured {}; left as it is (adding partitions "
                        + "re-maps instance ids and breaks their ordering)", spec.name(), actual, spec.partitions());
            }
        }
        return fewer;
    }

    private static Map<String, Integer> fewerReplicas(Collection<TopicSpec> specs, Map<String, TopicDescription> descriptions) {
        Map<String, Integer> fewer = new LinkedHashMap<>();
        for (TopicSpec spec : specs) {
            int least = descriptions.get(spec.name()).partitions().stream().mapToInt(p -> p.replicas().size()).min().orElse(0);
            if (least < spec.replicationFactor()) {
                fewer.put(spec.name(), least);
                LOG.warn("topic {} has partitions with {} replicas, fewer than the configured replication factor {}; left as "
                        + "it is (a partition reassignment adds replicas)", spec.name(), least, spec.replicationFactor());
            }
        }
        return fewer;
    }

    /**
     * A topic another process (or this one) has just created can be unknown for a moment to the broker that
     * answers (its metadata arrives a little later): asked again, a bounded number of times.
     */
    private <T> T awaitKnown(java.util.function.Supplier<KafkaFuture<T>> call, String what) {
        for (int attempt = 1; ; attempt++) {
            try {
                return await(call.get(), what);
            } catch (KafkaAdminException e) {
                if (!(e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException)
                        || attempt >= UNKNOWN_TOPIC_ATTEMPTS) {
                    throw e;
                }
                LOG.info("a topic is not known yet to the broker asked ({}); asking again", e.getMessage());
                try {
                    Thread.sleep(UNKNOWN_TOPIC_PAUSE.toMillis());
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new KafkaAdminException("interrupted: " + what, interrupted);
                }
            }
        }
    }

    private <T> T await(KafkaFuture<T> future, String what) {
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaAdminException("interrupted: " + what, e);
        } catch (ExecutionException e) {
            throw new KafkaAdminException("cannot " + what + ": " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new KafkaAdminException("cannot " + what + " within " + timeout + " (is Kafka reachable?)", e);
        }
    }

    /** A Kafka admin operation that failed or did not answer in time. */
    public static final class KafkaAdminException extends RuntimeException {
        KafkaAdminException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
