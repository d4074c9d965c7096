package io.tideline.restore;

import io.tideline.core.kafka.TopicReplay;
import io.tideline.core.kafka.Topics;
import io.tideline.schemas.AgentAnnounced;
import io.tideline.schemas.serde.EventCodec;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The restore agents as they last announced themselves on the compacted {@code tideline.agents} (replayed from the
 * beginning, no group: every coordinator replica knows every agent). An agent whose last word is older than the
 * agent timeout counts as gone.
 */
final class AgentDirectory implements AutoCloseable {

    /** What an agent said, and whether it is still to be believed. */
    record Agent(AgentAnnounced said) {
        String id() {
            return said.getAgentId();
        }

        boolean freshAt(Instant now, Duration timeout) {
            return !said.getOccurredAt().plus(timeout).isBefore(now);
        }

        String describe(Instant now, Duration timeout) {
            String where = "agent " + id() + " on host " + said.getHost();
            return freshAt(now, timeout)
                    ? where + " runs " + (said.getCapacity() - said.getFree()) + " of " + said.getCapacity() + " restore(s)"
                    : where + " has been silent since " + said.getOccurredAt();
        }
    }

    private final Map<String, Agent> agents = new ConcurrentHashMap<>();
    private final TopicReplay replay;

    AgentDirectory(io.tideline.core.kafka.KafkaConnection connection, EventCodec codec) {
        this.replay = new TopicReplay(connection, List.of(Topics.AGENTS), "restore-agent-directory", codec, r -> {
            if (r.isTombstone()) {
                agents.remove(r.key());
            } else {
                r.value().filter(AgentAnnounced.class::isInstance).map(AgentAnnounced.class::cast)
                        .ifPresent(a -> agents.put(a.getAgentId(), new Agent(a)));
            }
        });
    }

    AgentDirectory start() {
        replay.start();
        return this;
    }

    /** Every agent heard of (fresh or not), after waiting up to {@code wait} for the topic to be read to its end. */
    List<Agent> all(Duration wait) {
        try {
            replay.awaitCaughtUp(wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return agents.values().stream().sorted(Comparator.comparing(Agent::id)).toList();
    }

    /** The agent, if it ever announced itself. */
    Optional<Agent> find(String id) {
        return Optional.ofNullable(agents.get(id));
    }

    @Override
    public void close() {
        replay.close();
    }
}
