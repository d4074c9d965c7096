package io.tideline.restore.view;

import io.tideline.core.kafka.TopicReplay;
import io.tideline.schemas.serde.EventCodec;
import java.util.List;

/**
 * Feeds {@link ViewEvents} from the topics it summarises, every partition from the beginning, on its own
 * thread and without a consumer group (a {@link TopicReplay}): each replica serving the view must know
 * every restore. Records it cannot decode are logged and skipped (a read model never dead-letters; the
 * owning consumers do).
 */
public final class ViewEventsReader implements AutoCloseable {

    private final TopicReplay replay;

    public ViewEventsReader(io.tideline.core.kafka.KafkaConnection connection, List<String> topics, EventCodec codec, ViewEvents events) {
        this.replay = new TopicReplay(connection, topics, "backups-view", codec,
                record -> record.value().ifPresent(events::apply));
    }

    public ViewEventsReader start() {
        replay.start();
        return this;
    }

    @Override
    public void close() {
        replay.close();
    }
}
