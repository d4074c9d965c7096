package io.tideline.cli.backup;

import io.tideline.cli.events.Event;
import io.tideline.core.registry.RegisteredInstance;
import io.tideline.core.rto.NewestPointReplay;
import io.tideline.core.rto.ReplayRate;
import io.tideline.core.rto.ReplayRates;
import io.tideline.core.wal.Lsn;
import io.tideline.schemas.BackupCompleted;
import io.tideline.schemas.RestoreCompleted;
import io.tideline.schemas.WalSegmentStored;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code tideline backups}' line on the window's newest point (issue 18.6): how long a restore of it would replay WAL,
 * from the newest completed backup's start to the stored WAL's end, at the replay rate restores measured (or the
 * default the scheduler uses before any was), beside the instance's RTO budget. Pure: the events are the caller's.
 */
public final class NewestPointEstimate {

    private final RegisteredInstance instance;
    private final Optional<NewestPointReplay> replay;

    private NewestPointEstimate(RegisteredInstance instance, Optional<NewestPointReplay> replay) {
        this.instance = instance;
        this.replay = replay;
    }

    /** @param timeline the timeline's events; {@code restoreEvents} those of {@code tideline.restore-events} */
    public static NewestPointEstimate of(RegisteredInstance instance, List<Event> timeline, List<Event> restoreEvents) {
        String id = instance.id().value();
        ReplayRates rates = ReplayRates.withDefaults();
        restoreEvents.forEach(e -> e.value().filter(RestoreCompleted.class::isInstance).map(RestoreCompleted.class::cast)
                .ifPresent(rates::record));
        BackupCompleted newest = null;
        Lsn walEnd = null;
        for (Event e : timeline) {
            if (!id.equals(e.key()) || e.value().isEmpty()) {
                continue;
            }
            if (e.value().get() instanceof io.tideline.schemas.RestoreDrillCompleted drill) {
                rates.record(drill);
            } else if (e.value().get() instanceof BackupCompleted c && (newest == null
                    || Lsn.parse(c.getStartLsn()).isAfter(Lsn.parse(newest.getStartLsn())))) {
                newest = c;
            } else if (e.value().get() instanceof WalSegmentStored w && (walEnd == null || Lsn.parse(w.getEndLsn()).isAfter(walEnd))) {
                walEnd = Lsn.parse(w.getEndLsn());
            }
        }
        ReplayRate rate = rates.rateFor(id);
        return new NewestPointEstimate(instance, newest == null ? Optional.empty()
                : NewestPointReplay.of(newest.getBackupId(), Lsn.parse(newest.getStartLsn()), walEnd, rate));
    }

    public Optional<NewestPointReplay> replay() {
        return replay;
    }

    /** "Restore of the newest point: about … ; RTO budget 15 min." or, without a backup, empty. */
    public Optional<String> line() {
        return replay.map(r -> "Restore of the newest point: " + r.describe() + instance.rtoBudget()
                .map(b -> "; RTO budget " + ReplayRate.words(b) + (r.estimated().compareTo(b) > 0
                        ? " (over it: the scheduler asks for a base backup)" : ""))
                .orElse("") + ".");
    }

    public Map<String, Object> json() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("rtoBudgetSeconds", instance.rtoBudget().map(java.time.Duration::toSeconds).orElse(null));
        replay.ifPresent(r -> {
            m.put("newestPointReplaySeconds", r.estimated().toSeconds());
            m.put("walBytesToReplay", r.walBytes());
            m.put("sinceBackup", r.backupId());
            m.put("replayBytesPerSecond", Math.round(r.rate().bytesPerSecond()));
            m.put("replayRateMeasured", r.rate().measured());
        });
        return m;
    }
}
