package io.tideline.archiver.wal;

import io.tideline.core.wal.Lsn;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.Optional;

/**
 * Up to which moment a stored WAL object holds every commit, on the primary's clock (the clock of the
 * commit timestamps that {@code recovery_target_time} is compared with). The restorable window ends at
 * that moment, so it must never be later than the truth.
 *
 * <p>Each XLogData message says "at {@code sentAt} the server's WAL ended at {@code serverWalEnd}"
 * (walsender reads its flush position, then stamps the send time), so every commit made before
 * {@code sentAt} lies before {@code serverWalEnd}; an object ending at E therefore holds every commit made
 * before the latest {@code sentAt} whose {@code serverWalEnd} ≤ E. The time the archiver received or
 * uploaded the bytes says nothing of the kind: an archiver seconds behind a busy primary would claim those
 * seconds. Keepalives are no help: their WAL end is the position sent, not the server's end.
 *
 * <p>Marks are kept until an object passes them, so memory follows the WAL not yet stored (one mark per
 * message, ~128 KiB of WAL each); past {@link #MAX_MARKS} every other mark is dropped, which only makes
 * the answers older (never later than the truth).
 */
final class CommitHorizon {

    static final int MAX_MARKS = 65_536;

    private record Mark(Lsn serverEnd, Instant sentAt) {
    }

    private final ArrayDeque<Mark> marks = new ArrayDeque<>();
    private Optional<Instant> covered;

    /** @param covered what the stored objects before this stream are known to hold, if anything */
    CommitHorizon(Optional<Instant> covered) {
        this.covered = Objects.requireNonNull(covered, "covered");
    }

    /** Notes that at {@code sentAt} the server's WAL ended at {@code serverEnd}. */
    void observe(Lsn serverEnd, Instant sentAt) {
        Mark last = marks.peekLast();
        if (last != null && !serverEnd.isAfter(last.serverEnd())) {
            // The same end again (an idle server, or a message split in parts): the later time says more.
            if (sentAt.isAfter(last.sentAt())) {
                marks.pollLast();
                marks.addLast(new Mark(last.serverEnd(), sentAt));
            }
            return;
        }
        // A server clock that stepped back: keep the bound monotonic (the earlier claim holds for more WAL too).
        marks.addLast(new Mark(serverEnd, last != null && sentAt.isBefore(last.sentAt()) ? last.sentAt() : sentAt));
        if (marks.size() > MAX_MARKS) {
            thin();
        }
    }

    /**
     * The moment before which every commit lies in WAL that ends at or before {@code end}: the latest mark
     * it passes, or what earlier objects held; empty if nothing is known yet (an archive catching up from
     * before the first message of this stream).
     */
    Optional<Instant> coveredBy(Lsn end) {
        Mark passed = null;
        while (!marks.isEmpty() && !marks.peekFirst().serverEnd().isAfter(end)) {
            passed = marks.pollFirst();
        }
        if (passed != null) {
            marks.addFirst(passed); // a later object (the same segment's next partial) passes it too
            if (covered.isEmpty() || passed.sentAt().isAfter(covered.get())) {
                covered = Optional.of(passed.sentAt());
            }
        }
        return covered;
    }

    int marks() {
        return marks.size();
    }

    private void thin() {
        ArrayDeque<Mark> kept = new ArrayDeque<>(marks.size() / 2 + 1);
        int i = 0;
        for (Mark m : marks) {
            // Dropping a mark loses a later time for some ends, never claims one.
            if (i++ % 2 == 0) {
                kept.addLast(m);
            }
        }
        Mark last = marks.peekLast();
        if (kept.peekLast() != last) {
            kept.addLast(last);
        }
        marks.clear();
        marks.addAll(kept);
    }
}
