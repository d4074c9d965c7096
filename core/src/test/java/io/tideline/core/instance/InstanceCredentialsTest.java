package io.tideline.core.instance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tideline.core.ids.InstanceId;
import io.tideline.core.secrets.SecretRef;
import org.junit.jupiter.api.Test;

class InstanceCredentialsTest {

    private static final InstanceId COPY = InstanceId.of("orders-copy");

    @Test
    void aCopyKeepsTheSourcesTwoRolesUnderItsOwnSecretReferences() {
        InstanceCredentials c = InstanceCredentials.forCopy(COPY, "site_admin", "site_repl");
        assertEquals(new InstanceCredentials("site_admin", SecretRef.of("instances/orders-copy/admin"),
                "site_repl", SecretRef.of("instances/orders-copy/replicator")), c);
    }

    /** Issue 13: an adopted server may stream with its one superuser; its copy gets a replication role of its own. */
    @Test
    void aCopyOfAServerWithOneRoleForBothJobsGetsItsOwnReplicationRole() {
        InstanceCredentials c = InstanceCredentials.forCopy(COPY, "site_admin", "site_admin");
        assertEquals("site_admin", c.adminUser());
        assertEquals(InstanceCredentials.REPLICATION_USER, c.replicationUser());
    }
}
