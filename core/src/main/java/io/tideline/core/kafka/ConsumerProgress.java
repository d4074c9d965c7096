package io.tideline.core.kafka;

import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which consumers are held on a record they cannot get past: fed by the
 * {@link DeadLetterExceptionHandler} (a record it could not dead-letter is consumed again, so its
 * partition makes no progress until the dead letter is published or given up), read by
 * {@link ConsumerProgressHealth}.
 */
@Singleton
public class ConsumerProgress {

    /** Where a consumer group is held and why. */
    public record Stuck(String group, String topic, int partition, long offset, String reason, Instant since) {

        String where() {
            return group + " " + topic + "-" + partition;
        }
    }

    private final Map<String, Stuck> stuck = new ConcurrentHashMap<>();
    private final Clock clock;

    public ConsumerProgress(Optional<Clock> clock) {
        this.clock = clock.orElse(Clock.systemUTC());
    }

    /** {@code group} will consume {@code topic-partition@offset} again: it has not got past it. */
    public void held(String group, String topic, int partition, long offset, String reason) {
        Stuck now = new Stuck(group, topic, partition, offset, reason, clock.instant());
        stuck.merge(now.where(), now, (old, fresh) -> old.offset() == fresh.offset()
                ? new Stuck(group, topic, partition, offset, reason, old.since()) : fresh);
    }

    /** {@code group} got past {@code topic-partition} (its record dead-lettered or given up). */
    public void released(String group, String topic, int partition) {
        stuck.remove(group + " " + topic + "-" + partition);
    }

    /** The held consumers, by group and partition. */
    public Map<String, Stuck> held() {
        return new TreeMap<>(stuck);
    }
}
