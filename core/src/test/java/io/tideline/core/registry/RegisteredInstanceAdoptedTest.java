package io.tideline.core.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tideline.core.ids.InstanceId;
import io.tideline.core.secrets.SecretRef;
import io.tideline.schemas.InstanceRegistered;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Issue 13.1: an adopted server's registration says so, and every reader decodes it as adopted. */
class RegisteredInstanceAdoptedTest {

    private static RegisteredInstance instance(boolean adopted, Optional<RegisteredInstance.Origin> origin) {
        InstanceId id = InstanceId.of("legacy");
        return new RegisteredInstance(id, "legacy", "db1.example", 5432, "app", "site_admin", SecretRef.of("instances/legacy/admin"),
                "site_repl", SecretRef.of("instances/legacy/replicator"), "tideline-legacy", SecretRef.of("buckets/legacy/access"),
                SecretRef.of("buckets/legacy/secret"), 15, 16L << 20, Optional.empty(), Optional.empty(), origin,
                Instant.parse("2026-12-07T18:00:00Z"), DrillPolicy.DEFAULT, adopted);
    }

    @Test
    void adoptedSurvivesTheEventAndAnInstanceTidelineMadeIsNotAdopted() {
        RegisteredInstance adopted = instance(true, Optional.empty());
        InstanceRegistered event = adopted.toEvent(UUID.randomUUID(), Instant.parse("2026-12-07T18:00:01Z"));
        assertTrue(event.getAdopted());
        assertEquals(adopted, RegisteredInstance.from(event));
        assertFalse(RegisteredInstance.from(instance(false, Optional.empty()).toEvent(UUID.randomUUID(), Instant.now())).adopted());
    }

    @Test
    void aRestoredInstanceIsNeverAdopted() {
        Optional<RegisteredInstance.Origin> origin = Optional.of(new RegisteredInstance.Origin(InstanceId.of("orders"), "r-1"));
        assertThrows(IllegalArgumentException.class, () -> instance(true, origin));
    }
}
