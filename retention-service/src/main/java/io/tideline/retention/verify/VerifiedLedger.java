package io.tideline.retention.verify;

import io.tideline.core.ids.InstanceId;
import io.tideline.core.verify.ObjectToVerify;
import io.tideline.core.verify.VerifiedObject;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * When this replica last read each object of each instance, and which damaged versions it already
 * published, so that every object is re-read at least once per full pass and a damage is published once.
 * In memory: after a restart (or a partition moving to another replica) every object is due again, which
 * costs one paced pass and never less verification.
 */
final class VerifiedLedger {

    private final Duration fullPass;
    private final Map<InstanceId, Map<String, Instant>> lastRead = new ConcurrentHashMap<>();
    private final Set<String> published = ConcurrentHashMap.newKeySet();

    VerifiedLedger(Duration fullPass) {
        this.fullPass = fullPass;
    }

    /** Never read here, or last read a full pass ago (or more). */
    boolean due(InstanceId instance, ObjectToVerify object, Instant now) {
        Instant last = lastRead.getOrDefault(instance, Map.of()).get(version(object));
        return last == null || !last.plus(fullPass).isAfter(now);
    }

    /**
     * Records what a run read. A version not read for two full passes is no longer listed (expired or
     * replaced; a listed one would have been due and read) and is forgotten, so memory follows the bucket.
     */
    void read(InstanceId instance, Collection<VerifiedObject> results, Instant at) {
        Map<String, Instant> reads = lastRead.computeIfAbsent(instance, i -> new ConcurrentHashMap<>());
        reads.values().removeIf(t -> t.plus(fullPass.multipliedBy(2)).isBefore(at));
        results.stream().filter(r -> r.outcome() == VerifiedObject.Outcome.OK || r.outcome() == VerifiedObject.Outcome.DAMAGED)
                .forEach(r -> reads.put(version(r.object()), at));
    }

    /** True the first time a damaged version is offered: it is to be published. */
    boolean firstReport(InstanceId instance, VerifiedObject damaged) {
        return published.add(instance.value() + "|" + version(damaged.object()));
    }

    static String version(ObjectToVerify o) {
        return o.key() + "|" + o.size() + "|" + o.lastModified().getEpochSecond();
    }
}
