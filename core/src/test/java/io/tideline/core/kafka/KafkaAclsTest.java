package io.tideline.core.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;

class KafkaAclsTest {

    private final List<KafkaAcls> table = KafkaAcls.table(List.of("portal"));

    @Test
    void theIssuesRulesHold() {
        assertEquals(Set.of(KafkaPrincipals.RESTORE), writersOf(Topics.RESTORE_EVENTS), "only the restore service writes restore events");
        assertEquals(Set.of(KafkaPrincipals.RESTORE, "portal"), writersOf(Topics.RESTORE_REQUESTS),
                "restore requests: the restore service's API and drills, and the configured front doors");
        assertFalse(writersOf(Topics.RESTORE_REQUESTS).contains(KafkaPrincipals.CLI), "the CLI does not write restore requests");
        assertEquals(Set.of(KafkaPrincipals.ARCHIVER, KafkaPrincipals.RETENTION, KafkaPrincipals.RESTORE, KafkaPrincipals.CLI),
                writersOf(Topics.TIMELINE),
                "the timeline (WAL events among others): archiver, retention's expiries, the drills' results, verify's corruption");
        assertEquals(Set.of(), writersOf(Topics.AGENTS), "only agents announce, each by its own grant");
        assertEquals(Set.of(Topics.AGENTS), KafkaAcls.agent("db-1").writes());
    }

    @Test
    void aGroupPrefixGivesReadOnThatPrefixOnlyAndEveryWriterMayWriteIdempotently() {
        KafkaAcls scheduler = KafkaAcls.of(KafkaPrincipals.SCHEDULER, table).orElseThrow();
        List<AclBinding> groups = scheduler.bindings().stream()
                .filter(b -> b.pattern().resourceType() == ResourceType.GROUP && b.entry().operation() == AclOperation.READ).toList();
        assertEquals(1, groups.size());
        assertEquals("tideline-scheduler", groups.get(0).pattern().name());
        assertEquals(PatternType.PREFIXED, groups.get(0).pattern().patternType());
        assertEquals("User:scheduler", groups.get(0).entry().principal());
        for (KafkaAcls grant : table) {
            assertTrue(grant.bindings().stream().anyMatch(b -> b.entry().operation() == AclOperation.IDEMPOTENT_WRITE),
                    grant.principal() + " writes with an idempotent producer");
        }
    }

    @Test
    void listenerGroupsBelongToTheirServices() {
        assertEquals(Optional.of(KafkaPrincipals.ARCHIVER), KafkaPrincipals.ownerOfGroup("tideline-archiver-backups"));
        assertEquals(Optional.of(KafkaPrincipals.RESTORE), KafkaPrincipals.ownerOfGroup("tideline-restore-events-audit"));
        assertEquals(Optional.of(KafkaPrincipals.RETENTION), KafkaPrincipals.ownerOfGroup("tideline-retention"));
        assertEquals(Optional.of(KafkaPrincipals.SCHEDULER), KafkaPrincipals.ownerOfGroup("tideline-scheduler-replay-1f2e"));
        assertEquals(Optional.empty(), KafkaPrincipals.ownerOfGroup("it-group-1"));
        assertEquals(Optional.empty(), KafkaPrincipals.ownerOfGroup(null));
    }

    @Test
    void aGrantNamesOnlyTidelineTopics() {
        assertThrows(IllegalArgumentException.class,
                () -> new KafkaAcls("x", Set.of("tideline.nope"), Set.of(), Set.of()));
    }

    private Set<String> writersOf(String topic) {
        return table.stream().filter(g -> g.writes().contains(topic)).map(KafkaAcls::principal).collect(Collectors.toSet());
    }
}
