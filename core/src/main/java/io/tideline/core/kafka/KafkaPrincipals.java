package io.tideline.core.kafka;

import java.util.List;
import java.util.Optional;

/**
 * The Kafka principals of Tideline: each service, the CLI, each restore agent and the admin authenticate
 * under their own name (the common name of their client certificate, {@code CN=<name>,O=Tideline}, which
 * the brokers' {@code ssl.principal.mapping.rules} turn into {@code User:<name>}). What each may do is
 * {@link KafkaAcls}.
 */
public final class KafkaPrincipals {

    public static final String SCHEDULER = "scheduler";
    public static final String ARCHIVER = "archiver";
    public static final String RETENTION = "retention";
    public static final String RESTORE = "restore";
    public static final String CLI = "cli";
    /** Creates topics and ACLs; a super user of the brokers. */
    public static final String ADMIN = "admin";
    /** A restore agent is {@code agent-<agent id>}. */
    public static final String AGENT_PREFIX = "agent-";

    /** The four services, in the order of the pipeline. */
    public static final List<String> SERVICES = List.of(SCHEDULER, ARCHIVER, RETENTION, RESTORE);

    /**
     * Consumer groups start with {@code tideline-<service>}: the group prefix each service owns (tests
     * isolate with longer names under the same prefix, and the scheduler's replay group is unique per run).
     */
    static final String GROUP_PREFIX = "tideline-";

    private KafkaPrincipals() {
    }

    /** {@code agent-<agentId>}. */
    public static String agent(String agentId) {
        return AGENT_PREFIX + agentId;
    }

    /** The prefix of the consumer groups {@code service} owns ({@code tideline-archiver} for the archiver). */
    public static String groupPrefix(String service) {
        return GROUP_PREFIX + service;
    }

    /** The service whose group prefix {@code groupId} has; empty for a group no service owns. */
    public static Optional<String> ownerOfGroup(String groupId) {
        if (groupId == null) {
            return Optional.empty();
        }
        return SERVICES.stream().filter(s -> groupId.startsWith(groupPrefix(s))).findFirst();
    }
}
