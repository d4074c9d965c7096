package io.tideline.scheduler.rto;

import io.tideline.core.events.BackupCommands;
import io.tideline.core.registry.RegisteredInstance;
import io.tideline.core.rto.ReplayRate;
import io.tideline.core.rto.ReplayRates;
import io.tideline.scheduler.emit.BackupCommandSink;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import io.tideline.schemas.BackupCommand;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One round of the RTO budget, run at each tick of the scheduler's clock: for every registered instance with a budget,
 * asks {@link RtoBudgetPolicy} and sends what it decides. Nothing before the event log was read to its end (else a
 * backup that already happened would look missing). A send that fails is retried at the next tick (nothing is
 * recorded before the broker acknowledged).
 */
public final class RtoBudgetEmitter {

    private static final Logger LOG = LoggerFactory.getLogger(RtoBudgetEmitter.class);

    private final Supplier<Collection<RegisteredInstance>> instances;
    private final BackupActivity activity;
    private final ReplayRates rates;
    private final RtoBudgetPolicy policy;
    private final BooleanSupplier caughtUp;
    private final BackupCommandSink sink;
    private final Clock clock;
    private final Duration inFlightTimeout;

    public RtoBudgetEmitter(Supplier<Collection<RegisteredInstance>> instances, BackupActivity activity, ReplayRates rates,
                            RtoBudgetConfiguration config, BooleanSupplier caughtUp, BackupCommandSink sink, Clock clock) {
        this.instances = instances;
        this.activity = activity;
        this.rates = rates;
        this.policy = new RtoBudgetPolicy(config.minInterval());
        this.caughtUp = caughtUp;
        this.sink = sink;
        this.clock = clock;
        this.inFlightTimeout = config.inFlightTimeout();
    }

    /** The commands sent this round. */
    public List<BackupCommand> tick() {
        if (!caughtUp.getAsBoolean()) {
            return List.of();
        }
        List<BackupCommand> sent = new ArrayList<>();
        for (RegisteredInstance instance : instances.get()) {
            if (instance.rtoBudget().isEmpty()) {
                continue;
            }
            Instant now = clock.instant();
            ReplayRate rate = rates.rateFor(instance.id().value());
            BackupActivity.Facts facts = activity.facts(instance.id(), now, inFlightTimeout);
            Optional<RtoBudgetPolicy.Decision> decision = policy.decide(instance.id(), instance.rtoBudget().get(), facts, rate, now);
            if (decision.isEmpty()) {
                continue;
            }
            BackupCommand command = BackupCommands.command(UUID.randomUUID(), instance.id(), decision.get().commandId(),
                    decision.get().requestedBy(), now);
            try {
                sink.send(command);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return List.copyOf(sent);
            } catch (Exception e) {
                LOG.warn("Could not send {} ({}); retrying at the next tick: {}", decision.get().commandId(),
                        decision.get().requestedBy(), e.toString());
                return List.copyOf(sent);
            }
            activity.commandSent(command);
            sent.add(command);
            LOG.info("Sent {}: {} since backup {} at {}", decision.get().commandId(), decision.get().requestedBy(),
                    facts.newest().map(BackupActivity.NewestBackup::backupId).orElse("?"), rate.describe());
        }
        return List.copyOf(sent);
    }
}
