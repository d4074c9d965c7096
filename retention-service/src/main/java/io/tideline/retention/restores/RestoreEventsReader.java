package io.tideline.retention.restores;

import io.tideline.core.ids.InstanceId;
import io.tideline.core.kafka.TopicReplay;
import io.tideline.retention.RestoreClaim;
import io.tideline.schemas.serde.EventCodec;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps {@link RunningRestores} up to date from {@code tideline.restore-events}: every partition from
 * the beginning, on its own thread, with no consumer group (a {@link TopicReplay}: every retention
 * replica must know every running restore, whichever instances it owns). A run asks
 * {@link #claimsUpToDate} before deciding: the claims it gets include every event that was on the topic
 * when it asked, or it is told why not — a restore accepted a moment ago must not lose its backup
 * because its event was still unread.
 *
 * <p>A record that cannot be decoded is logged and skipped: this is a read model; the dead-letter topic
 * is fed by the consumers that own the records' processing.
 */
public final class RestoreEventsReader implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RestoreEventsReader.class);

    private final RunningRestores restores;
    private final TopicReplay replay;

    public RestoreEventsReader(String bootstrapServers, String topic, EventCodec codec, RunningRestores restores) {
        this(io.tideline.core.kafka.KafkaConnection.plaintext(bootstrapServers), topic, codec, restores);
    }

    public RestoreEventsReader(io.tideline.core.kafka.KafkaConnection connection, String topic, EventCodec codec,
                               RunningRestores restores) {
        this.restores = restores;
        this.replay = new TopicReplay(connection, List.of(topic), "retention-restore-events", codec, record -> {
            if (record.value().isPresent() && restores.apply(record.value().get())) {
                LOG.info("running restores changed at {} (instance {})", record.origin(), record.key());
            }
        });
    }

    public RestoreEventsReader start() {
        replay.start();
        return this;
    }

    /**
     * The running restores of {@code source}, read at least up to the topic's end as of this call, or
     * why that could not be established within {@code timeout}.
     */
    public Claims claimsUpToDate(InstanceId source, Duration timeout) {
        TopicReplay.CatchUp catchUp;
        try {
            catchUp = replay.awaitCaughtUp(timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Claims.unknown("interrupted while waiting for the restore events to be read");
        }
        return catchUp.behind().map(Claims::unknown).orElseGet(() -> new Claims(restores.claims(source), Optional.empty()));
    }

    /** The claims, or why they may be incomplete. */
    public record Claims(List<RestoreClaim> claims, Optional<String> incomplete) {
        public Claims {
            claims = List.copyOf(claims);
        }

        static Claims unknown(String why) {
            return new Claims(List.of(), Optional.of(why));
        }
    }

    @Override
    public void close() {
        replay.close();
    }
}
