package io.tideline.archiver.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tideline.core.ids.InstanceId;
import io.tideline.core.registry.RegisteredInstance;
import io.tideline.core.secrets.SecretRef;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StreamedInstancesTest {

    private final List<String> calls = new ArrayList<>();
    private final StreamedInstances ownership = new StreamedInstances(new StreamControl() {
        @Override
        public void start(RegisteredInstance instance) {
            calls.add("start " + instance.id());
        }

        @Override
        public void stop(Collection<InstanceId> instances, boolean flush) {
            calls.add("stop " + instances.stream().map(InstanceId::value).sorted().toList() + (flush ? " flushed" : " cut"));
        }
    });

    private static RegisteredInstance instance(String id) {
        InstanceId iid = InstanceId.of(id);
        return new RegisteredInstance(iid, id, "127.0.0.1", 5432, "postgres", "postgres", SecretRef.of("instances/" + id + "/admin"),
                "tideline_replicator", SecretRef.of("instances/" + id + "/replicator"), "tideline-" + id,
                SecretRef.of("instances/" + id + "/s3-access-key"), SecretRef.of("instances/" + id + "/s3-secret-key"), 15,
                16L * 1024 * 1024, Optional.empty(), Optional.empty(), Optional.empty(), Instant.parse("2026-01-01T00:00:00Z"));
    }

    @Test
    void streamsExactlyTheInstancesOfAssignedPartitions() {
        ownership.assigned(List.of(0, 2));
        ownership.registered(0, instance("pg-a"));
        ownership.registered(2, instance("pg-c"));
        ownership.registered(1, instance("pg-b")); // polled just before partition 1 went elsewhere

        assertEquals(List.of("start pg-a", "start pg-c"), calls);
        assertEquals(Set.of(InstanceId.of("pg-a"), InstanceId.of("pg-c")), ownership.owned());
    }

    @Test
    void revocationStopsTheStreamsOfThosePartitionsAfterStoringWhatTheyHold() {
        ownership.assigned(List.of(0, 1));
        ownership.registered(0, instance("pg-a"));
        ownership.registered(1, instance("pg-b"));
        ownership.registered(1, instance("pg-d"));
        calls.clear();

        ownership.revoked(List.of(1));

        assertEquals(List.of("stop [pg-b, pg-d] flushed"), calls);
        assertEquals(Set.of(InstanceId.of("pg-a")), ownership.owned());
        ownership.registered(1, instance("pg-b"));
        assertEquals(1, calls.size(), "a late record of a revoked partition starts nothing");
    }

    @Test
    void aTombstoneStopsTheInstancesStream() {
        ownership.assigned(List.of(0));
        ownership.registered(0, instance("pg-a"));
        ownership.removed(0, InstanceId.of("pg-a"));
        ownership.removed(0, InstanceId.of("pg-x"));

        assertEquals(List.of("start pg-a", "stop [pg-a] flushed"), calls);
        assertTrue(ownership.owned().isEmpty());
    }
}
