package io.tideline.archiver.wal;

import io.tideline.core.wal.CommitRecordScanner;
import io.tideline.core.wal.Lsn;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Up to which moment a stored WAL object holds every commit, on the primary's clock (the clock of the
 * commit timestamps that {@code recovery_target_time} is compared with). The restorable window ends at
 * that moment, so it must never be later than the truth. Two kinds of evidence, the later one wins:
 *
 * <p><b>Commit records</b> ({@link CommitRecordScanner}): recovery to T stops at the first commit or abort
 * record stamped after T, so WAL holding a record stamped t reaches every target before t exactly, as a
 * server with all the WAL would. This is the bound while the server is busy.
 *
 * <p><b>Send times</b>, for a quiet server (no later commit to prove more): each XLogData message says
 * "at {@code sentAt} the server's WAL ended at {@code serverWalEnd}" (walsender reads its flush position,
 * then stamps the time). A commit's timestamp is taken before its record is inserted and flushed, so a
 * commit still being flushed then may be stamped before {@code sentAt} yet lie beyond the end; the claim is
 * therefore {@code sentAt} minus an allowance for that flush ({@link #SEND_TIME_ALLOWANCE}: an fsync with
 * {@code synchronous_commit=on}, at most 3 × {@code wal_writer_delay} = 600 ms by default with it off).
 * The time the archiver received or uploaded the bytes says nothing of the kind: an archiver seconds behind
 * a busy primary would claim those seconds. Keepalives are no help: their WAL end is the position sent.
 *
 * <p>Marks are kept until an object passes them, so memory follows the WAL not yet stored; past
 * {@link #MAX_MARKS} every other mark is dropped, which only makes the answers older (never later than the
 * truth).
 */
final class CommitHorizon {

    static final int MAX_MARKS = 65_536;
    /** See the class comment; a commit flushed later than this after its timestamp is the limit of the quiet-server bound. */
    static final Duration SEND_TIME_ALLOWANCE = Duration.ofSeconds(1);

    /** WAL ending at or after a key holds every commit stamped before its value. */
    private final TreeMap<Lsn, Instant> marks = new TreeMap<>();
    private final Duration sendTimeAllowance;
    private Optional<Instant> covered;

    /**
     * @param covered           what the stored objects before this stream are known to hold, if anything
     * @param sendTimeAllowance subtracted from send times ({@link #SEND_TIME_ALLOWANCE} in production)
     */
    CommitHorizon(Optional<Instant> covered, Duration sendTimeAllowance) {
        this.covered = Objects.requireNonNull(covered, "covered");
        this.sendTimeAllowance = Objects.requireNonNull(sendTimeAllowance, "sendTimeAllowance");
    }

    /** Notes that at {@code sentAt} the server's WAL ended at {@code serverEnd}. */
    void observe(Lsn serverEnd, Instant sentAt) {
        mark(serverEnd, sentAt.minus(sendTimeAllowance));
    }

    /** Notes a commit or abort record stamped {@code xactTime} that ends at {@code recordEnd}. */
    void observeCommit(Lsn recordEnd, Instant xactTime) {
        mark(recordEnd, xactTime.minus(1, ChronoUnit.MICROS)); // reaches targets before it, not at it
    }

    private void mark(Lsn end, Instant claim) {
        // A claim holds for every end from its own on, so claims are kept non-decreasing along the ends:
        // a mark takes its predecessor's claim if that is later (a server clock that stepped back), and
        // lifts the marks after it that claim less (a commit found behind the server's end of an earlier message).
        Map.Entry<Lsn, Instant> before = marks.floorEntry(end);
        Instant effective = before != null && before.getValue().isAfter(claim) ? before.getValue() : claim;
        marks.put(end, effective);
        for (Map.Entry<Lsn, Instant> after : marks.tailMap(end, false).entrySet()) {
            if (!after.getValue().isBefore(effective)) {
                break;
            }
            after.setValue(effective);
        }
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
        Map.Entry<Lsn, Instant> passed = marks.floorEntry(end);
        if (passed != null) {
            // the marks before it say less; it stays, as a later object (the next partial) passes it too
            marks.headMap(passed.getKey(), false).clear();
            if (covered.isEmpty() || passed.getValue().isAfter(covered.get())) {
                covered = Optional.of(passed.getValue());
            }
        }
        return covered;
    }

    int marks() {
        return marks.size();
    }

    private void thin() {
        // Dropping a mark gives the ends it covered its predecessor's (earlier) claim: older, never later.
        Lsn newest = marks.lastKey();
        int i = 0;
        for (var it = marks.keySet().iterator(); it.hasNext(); ) {
            Lsn key = it.next();
            if (i++ % 2 == 1 && !key.equals(newest)) {
                it.remove();
            }
        }
    }
}
