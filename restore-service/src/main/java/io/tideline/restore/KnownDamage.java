package io.tideline.restore;

import io.tideline.core.ids.InstanceId;
import io.tideline.core.kafka.TopicReplay;
import io.tideline.core.kafka.Topics;
import io.tideline.core.verify.KnownCorruptions;
import io.tideline.core.window.BucketInventory;
import io.tideline.core.window.Damage;
import io.tideline.schemas.ObjectCorrupted;
import io.tideline.schemas.serde.EventCodec;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The damaged objects the event log names ({@code ObjectCorrupted} on {@code tideline.timeline}, replayed
 * from the beginning with no group, so a restart forgets none), for the restore validator: a target that
 * needs a damaged object is refused, with the damage as the reason. Which damage still applies to a bucket
 * (the object not yet expired or replaced) is core's {@link KnownCorruptions}.
 */
final class KnownDamage implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(KnownDamage.class);
    /** How long a validation waits for the log to be read to its end before it decides with what it knows. */
    static final Duration CATCH_UP = Duration.ofSeconds(5);

    private final KnownCorruptions known = new KnownCorruptions();
    private final TopicReplay replay;

    KnownDamage(io.tideline.core.kafka.KafkaConnection connection, EventCodec codec) {
        this.replay = new TopicReplay(connection, List.of(Topics.TIMELINE), "restore-known-damage", codec,
                r -> r.value().filter(ObjectCorrupted.class::isInstance).map(ObjectCorrupted.class::cast).ifPresent(known::apply));
    }

    KnownDamage start() {
        replay.start();
        return this;
    }

    Damage damageIn(InstanceId instance, BucketInventory inventory) {
        try {
            TopicReplay.CatchUp caughtUp = replay.awaitCaughtUp(CATCH_UP);
            caughtUp.behind().ifPresent(why -> LOG.warn("validating a restore of {} with the damage known so far: {}", instance, why));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return known.damageIn(instance, inventory);
    }

    @Override
    public void close() {
        replay.close();
    }
}
