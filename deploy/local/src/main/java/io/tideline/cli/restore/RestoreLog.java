package io.tideline.cli.restore;

import io.tideline.cli.events.Event;
import io.tideline.schemas.RestoreAccepted;
import io.tideline.schemas.RestoreCompleted;
import io.tideline.schemas.RestoreFailed;
import io.tideline.cli.output.Table;
import io.tideline.schemas.RestoreProgress;
import io.tideline.schemas.RestoreRejected;
import io.tideline.schemas.RestoreRequested;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.specific.SpecificRecord;

/**
 * Every restore as the log tells it ({@code tideline.restore-requests} then {@code tideline.restore-events}),
 * one {@link Restore} each, in the order they were requested. Pure: the reading is the caller's.
 */
public final class RestoreLog {

    /** Where a restore is. Final states are never left. */
    public enum State {
        REQUESTED, ACCEPTED, RUNNING, COMPLETED, REJECTED, FAILED, CANCELLED;

        public boolean ended() {
            return ordinal() >= COMPLETED.ordinal();
        }

        public String word() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** One restore. {@code phase}, {@code newInstance}, {@code endedAt}, {@code reason} are null until known. */
    public record Restore(String restoreId, String source, Instant requestedAt, String requestedBy, String target,
                          String newInstance, State state, String phase, Instant endedAt, String reason) {

        Restore with(State s, String phase, String newInstance, Instant endedAt, String reason) {
            return new Restore(restoreId, source, requestedAt, requestedBy, target,
                    newInstance == null ? this.newInstance : newInstance, s, phase == null ? this.phase : phase,
                    endedAt == null ? this.endedAt : endedAt, reason == null ? this.reason : reason);
        }

        /** The first eight characters, what the tables show (and what {@link RestoreLog#find} accepts). */
        public String shortId() {
            return restoreId.length() > 8 ? restoreId.substring(0, 8) : restoreId;
        }
    }

    private final Map<String, Restore> restores = new LinkedHashMap<>();

    /** {@code requests} first: a restore is known from its request, its events then move it on. */
    public static RestoreLog of(List<Event> requests, List<Event> events) {
        RestoreLog log = new RestoreLog();
        requests.forEach(log::add);
        events.forEach(log::add);
        return log;
    }

    /** Moves the restore {@code event} is about on (final states stay). */
    public void add(Event event) {
        Optional<SpecificRecord> value = event.value();
        if (value.isEmpty()) {
            return;
        }
        SpecificRecord v = value.get();
        if (v instanceof RestoreRequested r) {
            restores.putIfAbsent(r.getRestoreId(), new Restore(r.getRestoreId(), r.getInstanceId(), r.getOccurredAt(),
                    r.getRequestedBy(), r.getTarget(), r.getNewName(), State.REQUESTED, null, null, null));
        } else if (v instanceof RestoreAccepted a) {
            move(a.getRestoreId(), a.getInstanceId(), State.ACCEPTED, null, a.getNewInstanceId(), null, null);
        } else if (v instanceof RestoreProgress p) {
            move(p.getRestoreId(), p.getInstanceId(), State.RUNNING, phaseInWords(p.getPhase().name())
                    + replayInWords(p).map(r -> ", " + r).orElse(""), null, null, null);
        } else if (v instanceof RestoreCompleted c) {
            move(c.getRestoreId(), c.getInstanceId(), State.COMPLETED, null, c.getNewInstanceId(), c.getOccurredAt(), null);
        } else if (v instanceof RestoreRejected r) {
            move(r.getRestoreId(), r.getInstanceId(), State.REJECTED, null, null, r.getOccurredAt(), r.getReason());
        } else if (v instanceof RestoreFailed f) {
            State s = f.getReason().startsWith("cancelled by ") ? State.CANCELLED : State.FAILED;
            move(f.getRestoreId(), f.getInstanceId(), s, null, f.getNewInstanceId(), f.getOccurredAt(), f.getReason());
        }
    }

    private void move(String id, String source, State state, String phase, String newInstance, Instant endedAt, String reason) {
        Restore r = restores.get(id);
        if (r == null) {
            // Its request left the log before its events (retention): still worth listing.
            r = new Restore(id, source, null, null, null, null, State.REQUESTED, null, null, null);
        }
        if (r.state().ended()) {
            return;
        }
        State next = state.ordinal() >= r.state().ordinal() ? state : r.state();
        restores.put(id, r.with(next, phase, newInstance, endedAt, reason));
    }

    public Collection<Restore> all() {
        return List.copyOf(restores.values());
    }

    /**
     * The restore with id {@code idOrPrefix}, or the only one whose id starts with it (at least 8 characters,
     * the short form the tables show).
     *
     * @throws IllegalArgumentException when it names none or several
     */
    public Restore find(String idOrPrefix) {
        Restore exact = restores.get(idOrPrefix);
        if (exact != null) {
            return exact;
        }
        List<Restore> matches = idOrPrefix.length() < 8 ? List.of()
                : restores.values().stream().filter(r -> r.restoreId().startsWith(idOrPrefix)).toList();
        if (matches.size() == 1) {
            return matches.get(0);
        }
        throw new IllegalArgumentException(matches.isEmpty()
                ? "unknown restore '" + idOrPrefix + "' (see ./tideline restores)"
                : "'" + idOrPrefix + "' names " + matches.size() + " restores: give more of the id");
    }

    /**
     * "replayed to 2026-12-08T10:02:31.000Z of 2026-12-08T10:15:30.000Z": the commit time of the last transaction the
     * recovering server replayed, against the target time (or for {@code latest} the newest commit recorded); without
     * "of" for a target that is not a time. Empty when the progress carries no replay time. Times as every table's.
     */
    public static Optional<String> replayInWords(RestoreProgress p) {
        return Optional.ofNullable(p.getReplayedTo()).map(t -> "replayed to " + Table.time(t)
                + (p.getReplayTarget() == null ? "" : " of " + Table.time(p.getReplayTarget())));
    }

    public static String phaseInWords(String phase) {
        return phase.toLowerCase(Locale.ROOT).replace('_', ' ');
    }
}
