package io.tideline.restore;

import io.tideline.core.ids.RestoreId;
import io.tideline.schemas.RestoreAccepted;
import io.tideline.schemas.RestoreCompleted;
import io.tideline.schemas.RestoreFailed;
import io.tideline.schemas.RestoreProgress;
import io.tideline.schemas.RestoreRejected;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.specific.SpecificRecord;

/**
 * What the service knows of every restore id, from {@code tideline.restore-events} (replayed at each
 * partition assignment) and from what it publishes itself. It makes redelivery harmless: a request whose
 * id is here was answered already. A finished state (rejected, completed, failed) is final; an
 * {@code Accepted} read after it (replay order across partitions does not matter) does not undo it.
 */
@jakarta.inject.Singleton
final class RestoreLedger {

    enum Status {
        ACCEPTED, REJECTED, COMPLETED, FAILED;

        boolean finished() {
            return this != ACCEPTED;
        }
    }

    /**
     * @param source      the source instance (the events' key)
     * @param newInstance the instance being made, once accepted
     * @param lastEventAt when the newest event of the restore happened: a running restore publishes
     *                    progress at a steady pace, so a stale one tells that nobody runs it any more
     */
    record Entry(RestoreId restoreId, String source, Status status, Optional<String> newInstance,
                 Optional<String> backupId, Instant lastEventAt) {
        Entry {
            Objects.requireNonNull(restoreId, "restoreId");
            Objects.requireNonNull(source, "source");
            Objects.requireNonNull(status, "status");
            Objects.requireNonNull(newInstance, "newInstance");
            Objects.requireNonNull(backupId, "backupId");
            Objects.requireNonNull(lastEventAt, "lastEventAt");
        }
    }

    private final Map<RestoreId, Entry> entries = new ConcurrentHashMap<>();

    Optional<Entry> find(RestoreId id) {
        return Optional.ofNullable(entries.get(id));
    }

    /** Restores accepted and not finished, as far as this ledger knows. */
    List<Entry> unfinished() {
        return entries.values().stream().filter(e -> !e.status().finished()).toList();
    }

    /** Applies one event of the restore-events topic; other record types are ignored. */
    void apply(SpecificRecord event) {
        if (event instanceof RestoreAccepted a) {
            merge(new Entry(RestoreId.of(a.getRestoreId()), a.getInstanceId(), Status.ACCEPTED,
                    Optional.of(a.getNewInstanceId()), Optional.of(a.getBackupId()), a.getOccurredAt()));
        } else if (event instanceof RestoreRejected r) {
            merge(new Entry(RestoreId.of(r.getRestoreId()), r.getInstanceId(), Status.REJECTED, Optional.empty(),
                    Optional.empty(), r.getOccurredAt()));
        } else if (event instanceof RestoreCompleted c) {
            merge(new Entry(RestoreId.of(c.getRestoreId()), c.getInstanceId(), Status.COMPLETED,
                    Optional.of(c.getNewInstanceId()), Optional.empty(), c.getOccurredAt()));
        } else if (event instanceof RestoreFailed f) {
            merge(new Entry(RestoreId.of(f.getRestoreId()), f.getInstanceId(), Status.FAILED,
                    Optional.ofNullable(f.getNewInstanceId()), Optional.empty(), f.getOccurredAt()));
        } else if (event instanceof RestoreProgress p) {
            entries.computeIfPresent(RestoreId.of(p.getRestoreId()), (id, old) -> old.status().finished()
                    || !p.getOccurredAt().isAfter(old.lastEventAt()) ? old
                    : new Entry(id, old.source(), old.status(), old.newInstance(), old.backupId(), p.getOccurredAt()));
        }
    }

    private void merge(Entry incoming) {
        entries.merge(incoming.restoreId(), incoming, (old, now) -> {
            if (old.status().finished()) {
                return old;
            }
            // keep what Accepted knew (backup, new instance) when the end arrives
            Instant last = now.lastEventAt().isAfter(old.lastEventAt()) ? now.lastEventAt() : old.lastEventAt();
            return new Entry(now.restoreId(), now.source(), now.status(),
                    now.newInstance().or(old::newInstance), now.backupId().or(old::backupId), last);
        });
    }
}
