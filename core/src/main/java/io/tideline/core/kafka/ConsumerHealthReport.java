package io.tideline.core.kafka;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What {@code kafka-consumers} says: DOWN while a consumer is held on a record ({@link ConsumerProgress})
 * or a group is stalled (the {@link ConsumerStallMonitor}'s last look), with one line per place.
 * Kept apart from {@link ConsumerProgressHealth} so that it needs no management module.
 */
public record ConsumerHealthReport(boolean down, Map<String, String> details) {

    public ConsumerHealthReport {
        details = Map.copyOf(details);
    }

    public static ConsumerHealthReport of(Map<String, ConsumerProgress.Stuck> held, Optional<ConsumerStallMonitor.Check> check) {
        Map<String, String> details = new TreeMap<>();
        held.forEach((where, stuck) -> details.put(where, "no progress since " + stuck.since() + " at offset "
                + stuck.offset() + ": " + stuck.reason()));
        boolean stalled = false;
        if (check.isPresent()) {
            for (ConsumerStalls.Stall stall : check.get().stalls()) {
                stalled = true;
                // a held record says more (its reason) than the lag it causes
                details.putIfAbsent(stall.where(), stall.partition() < 0
                        ? "no progress since " + stall.since() + ": " + stall.reason()
                        : "no progress since " + stall.since() + " at committed offset " + stall.committed()
                                + ", end offset " + stall.end() + ": " + stall.reason());
            }
            check.get().unreachable().ifPresent(why -> details.put("broker", "consumer groups not checked at "
                    + check.get().at() + ": " + why));
        }
        return new ConsumerHealthReport(!held.isEmpty() || stalled, details);
    }
}
