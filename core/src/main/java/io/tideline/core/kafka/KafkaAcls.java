package io.tideline.core.kafka;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * Who may read and write which topic, and which consumer groups each principal uses: THE table of
 * Kafka's access control (docs/modules/core.md has it as a table). The brokers run KRaft's
 * {@code StandardAuthorizer} with {@code allow.everyone.if.no.acl.found=false}: what is not granted
 * here is refused. The admin principal creates these bindings at start ({@link AclInstaller}, idempotent).
 *
 * <p>Topic ACLs are per topic, not per event type: {@link Topics#TIMELINE} carries the archiver's WAL and
 * backup events, retention's expiries and corruption reports and the restore service's drill results,
 * so those three write it (see decisions.md).
 *
 * @param principal the principal's name ({@code User:<principal>})
 * @param reads     topics it reads (Read + Describe)
 * @param writes    topics it writes (Write + Describe)
 * @param groups    consumer-group prefixes it may join and commit in
 */
public record KafkaAcls(String principal, Set<String> reads, Set<String> writes, Set<String> groups) {

    public KafkaAcls {
        Objects.requireNonNull(principal, "principal");
        reads = Set.copyOf(reads);
        writes = Set.copyOf(writes);
        groups = Set.copyOf(groups);
        for (String topic : union(reads, writes)) {
            if (!Topics.ALL.contains(topic)) {
                throw new IllegalArgumentException("not a Tideline topic in the ACL of " + principal + ": " + topic);
            }
        }
    }

    /**
     * The grants of the four services and the CLI.
     *
     * @param frontDoors principals besides the restore service (whose HTTP API publishes the CLI's and the
     *                   view's requests, and whose drills request restores) that may write restore requests:
     *                   {@code tideline.kafka.security.front-doors}
     */
    public static List<KafkaAcls> table(Collection<String> frontDoors) {
        List<KafkaAcls> table = new ArrayList<>(List.of(
                new KafkaAcls(KafkaPrincipals.SCHEDULER,
                        // TIMELINE, RESTORE_EVENTS: the RTO budget's backups, stored WAL and measured replay rates
                        Set.of(Topics.INSTANCES, Topics.BACKUP_COMMANDS, Topics.TIMELINE, Topics.RESTORE_EVENTS),
                        Set.of(Topics.BACKUP_COMMANDS, Topics.DEAD_LETTERS),
                        Set.of(KafkaPrincipals.groupPrefix(KafkaPrincipals.SCHEDULER))),
                new KafkaAcls(KafkaPrincipals.ARCHIVER,
                        Set.of(Topics.INSTANCES, Topics.BACKUP_COMMANDS, Topics.TIMELINE),
                        // BACKUP_COMMANDS: a WAL stream that finds no base backup asks for one
                        Set.of(Topics.TIMELINE, Topics.BACKUP_COMMANDS, Topics.DEAD_LETTERS),
                        Set.of(KafkaPrincipals.groupPrefix(KafkaPrincipals.ARCHIVER))),
                new KafkaAcls(KafkaPrincipals.RETENTION,
                        Set.of(Topics.INSTANCES, Topics.TIMELINE, Topics.RESTORE_EVENTS),
                        // BACKUP_COMMANDS: a corrupted object asks for a fresh base backup
                        Set.of(Topics.TIMELINE, Topics.BACKUP_COMMANDS, Topics.DEAD_LETTERS),
                        Set.of(KafkaPrincipals.groupPrefix(KafkaPrincipals.RETENTION))),
                new KafkaAcls(KafkaPrincipals.RESTORE,
                        Set.of(Topics.INSTANCES, Topics.TIMELINE, Topics.RESTORE_REQUESTS, Topics.RESTORE_EVENTS, Topics.AGENTS),
                        // INSTANCES: a restored instance is registered; BACKUP_COMMANDS: its first backup and the
                        // view's "Back up now"; TIMELINE: drill results; RESTORE_REQUESTS: its HTTP API and drills
                        Set.of(Topics.INSTANCES, Topics.BACKUP_COMMANDS, Topics.TIMELINE, Topics.RESTORE_REQUESTS,
                                Topics.RESTORE_EVENTS, Topics.DEAD_LETTERS),
                        Set.of(KafkaPrincipals.groupPrefix(KafkaPrincipals.RESTORE))),
                new KafkaAcls(KafkaPrincipals.CLI,
                        // the CLI reads every topic (audit, backups, restores, dead letters) and never joins a group
                        Set.copyOf(Topics.ALL),
                        // instance create/register/remove, backup now, the corruption `verify` finds; NOT restore
                        // requests (the restore API does)
                        Set.of(Topics.INSTANCES, Topics.BACKUP_COMMANDS, Topics.TIMELINE),
                        Set.of())));
        for (String door : new TreeSet<>(frontDoors)) {
            table.add(new KafkaAcls(door, Set.of(Topics.RESTORE_EVENTS), Set.of(Topics.RESTORE_REQUESTS), Set.of()));
        }
        return List.copyOf(table);
    }

    /** The grant of restore agent {@code agentId}: it announces itself, and reads nothing else. */
    public static KafkaAcls agent(String agentId) {
        return new KafkaAcls(KafkaPrincipals.agent(agentId), Set.of(Topics.AGENTS), Set.of(Topics.AGENTS), Set.of());
    }

    /** The grant of {@code principal} in {@code table}, if it has one. */
    public static java.util.Optional<KafkaAcls> of(String principal, Collection<KafkaAcls> table) {
        return table.stream().filter(a -> a.principal().equals(principal)).findFirst();
    }

    /**
     * The bindings of this grant: Read+Describe on each read topic, Write+Describe on each written one,
     * Read+Describe on each group prefix, and Describe of every Tideline group (a service's stall monitor
     * reads the committed offsets of the groups of its context; reading offsets is not consuming).
     */
    public List<AclBinding> bindings() {
        List<AclBinding> out = new ArrayList<>();
        for (String topic : union(reads, writes)) {
            ResourcePattern pattern = new ResourcePattern(ResourceType.TOPIC, topic, PatternType.LITERAL);
            out.add(allow(pattern, AclOperation.DESCRIBE));
            if (reads.contains(topic)) {
                out.add(allow(pattern, AclOperation.READ));
            }
            if (writes.contains(topic)) {
                out.add(allow(pattern, AclOperation.WRITE));
            }
        }
        for (String group : new TreeSet<>(groups)) {
            ResourcePattern pattern = new ResourcePattern(ResourceType.GROUP, group, PatternType.PREFIXED);
            out.add(allow(pattern, AclOperation.READ));
        }
        if (!groups.isEmpty()) {
            out.add(allow(new ResourcePattern(ResourceType.GROUP, KafkaPrincipals.GROUP_PREFIX, PatternType.PREFIXED),
                    AclOperation.DESCRIBE));
        }
        if (!groups.isEmpty()) {
            // micronaut-kafka's health check of a service reads the brokers' replication settings
            out.add(allow(new ResourcePattern(ResourceType.CLUSTER, "kafka-cluster", PatternType.LITERAL),
                    AclOperation.DESCRIBE_CONFIGS));
        }
        if (!writes.isEmpty()) {
            // idempotent producers (acks=all, enable.idempotence) need IdempotentWrite on the cluster
            out.add(allow(new ResourcePattern(ResourceType.CLUSTER, "kafka-cluster", PatternType.LITERAL),
                    AclOperation.IDEMPOTENT_WRITE));
        }
        return out;
    }

    private AclBinding allow(ResourcePattern pattern, AclOperation operation) {
        return new AclBinding(pattern, new AccessControlEntry("User:" + principal, "*", operation, AclPermissionType.ALLOW));
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> all = new TreeSet<>(a);
        all.addAll(b);
        return all;
    }
}
