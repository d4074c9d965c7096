package io.tideline.scheduler.rto;

import io.tideline.core.ids.CommandId;
import io.tideline.core.ids.InstanceId;
import io.tideline.core.rto.ReplayRate;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * When an instance with an RTO budget needs an extra base backup (issue 18.6): when the WAL since its newest backup,
 * at the replay rate, would take longer to replay than the budget — a restore of the window's newest point starts at
 * that backup and replays all of it. Never while a backup of the instance is in flight (at most one extra backup
 * at a time, and a running daily backup will shorten the replay anyway), never sooner than {@code minInterval}
 * after the last RTO-budget command. Pure: facts in, decision out.
 */
public final class RtoBudgetPolicy {

    /** Prefix of the {@code requestedBy} of the commands it sends, which then says why. */
    public static final String REQUESTED_BY_PREFIX = "rto-budget: ";

    /** An extra backup to ask for, and why ({@code requestedBy}: "rto-budget: 21 min of WAL to replay > 15 min"). */
    public record Decision(CommandId.RtoBudget commandId, Duration estimatedReplay, String requestedBy) {
    }

    private final Duration minInterval;

    public RtoBudgetPolicy(Duration minInterval) {
        this.minInterval = Objects.requireNonNull(minInterval, "minInterval");
    }

    public Optional<Decision> decide(InstanceId instance, Duration budget, BackupActivity.Facts facts, ReplayRate rate, Instant now) {
        if (facts.newest().isEmpty()) {
            return Optional.empty(); // no backup yet: the first one is asked for when the instance is made
        }
        Duration estimated = rate.timeFor(facts.walBytesSinceNewestBackup());
        if (estimated.compareTo(budget) <= 0) {
            return Optional.empty();
        }
        if (facts.inFlight()) {
            return Optional.empty();
        }
        if (facts.lastRtoSent().isPresent() && now.isBefore(facts.lastRtoSent().get().plus(minInterval))) {
            return Optional.empty();
        }
        BackupActivity.NewestBackup newest = facts.newest().get();
        CommandId.RtoBudget id = CommandId.rtoBudget(instance, newest.timeline(), newest.startLsn(), facts.nextAttempt());
        return Optional.of(new Decision(id, estimated, REQUESTED_BY_PREFIX + words(estimated) + " of WAL to replay > " + words(budget)));
    }

    /** {@code 45 s}, {@code 21 min}, {@code 15 min 20 s}, {@code 2 h 5 min}: what the reason shows. */
    public static String words(Duration d) {
        return ReplayRate.words(d);
    }
}
