package io.tideline.scheduler.rto;

import io.tideline.core.ids.CommandId;
import io.tideline.core.ids.InstanceId;
import io.tideline.core.wal.Lsn;
import io.tideline.schemas.BackupCommand;
import io.tideline.schemas.BackupCompleted;
import io.tideline.schemas.BackupFailed;
import io.tideline.schemas.BackupStarted;
import io.tideline.schemas.WalSegmentStored;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.specific.SpecificRecord;

/**
 * Per instance, what the RTO budget needs from the event log: the newest completed base backup (its start is where a
 * restore of the window's newest point starts replaying), how far the stored WAL reaches, which backups are in flight
 * (started without an end, and RTO-budget commands sent without one), and the RTO-budget commands already sent
 * against the newest backup. Fed by {@code tideline.timeline} (backups, WAL) and {@code tideline.backup-commands};
 * pure and thread-safe (the readers write, the clock's tick reads).
 */
public final class BackupActivity {

    /** The newest completed base backup of an instance. */
    public record NewestBackup(String backupId, long timeline, Lsn startLsn, Instant finishedAt) {
    }

    /**
     * What the policy decides on.
     *
     * @param inFlight    a backup of the instance runs (or an RTO-budget command waits for its answer)
     * @param lastRtoSent when the last RTO-budget command of the instance was asked for
     * @param nextAttempt the attempt number the next RTO-budget command against {@code newest} carries
     */
    public record Facts(Optional<NewestBackup> newest, Optional<Lsn> walEnd, boolean inFlight, Optional<Instant> lastRtoSent,
                        int nextAttempt) {

        /** WAL bytes a restore of the newest stored point replays: from the newest backup's start to the stored WAL's end. */
        public long walBytesSinceNewestBackup() {
            if (newest.isEmpty() || walEnd.isEmpty() || !walEnd.get().isAfter(newest.get().startLsn())) {
                return 0;
            }
            return walEnd.get().bytesSince(newest.get().startLsn());
        }
    }

    private static final class State {
        NewestBackup newest;
        Lsn walEnd;
        final Map<String, Instant> running = new HashMap<>();     // command id -> started (or RTO command sent)
        Instant lastRtoSent;
        final Map<String, Integer> rtoAttempts = new HashMap<>();  // "<timeline>:<lsn>" -> highest attempt sent
        final java.util.Set<String> rtoEnded = new java.util.HashSet<>(); // RTO-budget commands whose backup ended (few)

        void ended(String commandId) {
            running.remove(commandId);
            if (commandId.startsWith(CommandId.RtoBudget.PREFIX)) {
                rtoEnded.add(commandId); // its command may be read after its end (two topics, two readers)
            }
        }
    }

    private final Map<InstanceId, State> states = new HashMap<>();

    /** Applies one event of {@code tideline.timeline}; other types are ignored. */
    public synchronized void apply(SpecificRecord event) {
        if (event instanceof BackupStarted s) {
            state(s.getInstanceId()).running.put(s.getCommandId(), s.getStartedAt());
        } else if (event instanceof BackupCompleted c) {
            State st = state(c.getInstanceId());
            st.ended(c.getCommandId());
            Lsn start = Lsn.parse(c.getStartLsn());
            if (st.newest == null || start.isAfter(st.newest.startLsn())) {
                st.newest = new NewestBackup(c.getBackupId(), c.getTimeline(), start, c.getFinishedAt());
            }
        } else if (event instanceof BackupFailed f) {
            state(f.getInstanceId()).ended(f.getCommandId());
        } else if (event instanceof WalSegmentStored w) {
            State st = state(w.getInstanceId());
            Lsn end = Lsn.parse(w.getEndLsn());
            if (st.walEnd == null || end.isAfter(st.walEnd)) {
                st.walEnd = end;
            }
        }
    }

    /**
     * A command read from {@code tideline.backup-commands} (any replica's, any time), or just sent by this one: an
     * RTO-budget command counts as in flight from the moment it was asked for until its backup ends.
     */
    public synchronized void commandSent(BackupCommand command) {
        if (!command.getCommandId().startsWith(CommandId.RtoBudget.PREFIX)) {
            return;
        }
        if (!(CommandId.parse(command.getCommandId()) instanceof CommandId.RtoBudget id)) {
            return;
        }
        State st = state(command.getInstanceId());
        // an answer may have been read first (another replica's command): only a command without an end is in flight
        if (!st.rtoEnded.contains(command.getCommandId())) {
            st.running.putIfAbsent(command.getCommandId(), command.getRequestedAt());
        }
        if (st.lastRtoSent == null || command.getRequestedAt().isAfter(st.lastRtoSent)) {
            st.lastRtoSent = command.getRequestedAt();
        }
        st.rtoAttempts.merge(key(id.timeline(), id.newestBackupStart()), id.attempt(), Math::max);
    }

    /** What is known of {@code instance} at {@code now}; in-flight entries older than {@code inFlightTimeout} no longer count. */
    public synchronized Facts facts(InstanceId instance, Instant now, Duration inFlightTimeout) {
        State st = states.get(instance);
        if (st == null) {
            return new Facts(Optional.empty(), Optional.empty(), false, Optional.empty(), 1);
        }
        Instant oldest = now.minus(inFlightTimeout);
        boolean inFlight = st.running.values().stream().anyMatch(at -> at.isAfter(oldest));
        int next = st.newest == null ? 1 : st.rtoAttempts.getOrDefault(key(st.newest.timeline(), st.newest.startLsn()), 0) + 1;
        return new Facts(Optional.ofNullable(st.newest), Optional.ofNullable(st.walEnd), inFlight,
                Optional.ofNullable(st.lastRtoSent), next);
    }

    private State state(String instanceId) {
        return states.computeIfAbsent(InstanceId.of(instanceId), i -> new State());
    }

    private static String key(long timeline, Lsn start) {
        return timeline + ":" + start;
    }
}
