package io.tideline.core.instance;

import java.io.IOException;
import java.util.Optional;

/**
 * Where a restore puts WAL segments ahead of a recovering server's asking, so that the server's
 * {@code restore_command} takes the next segment from there instead of fetching it (pgBackRest's
 * asynchronous archive-get keeps a queue the same way). A provisioner offers one with
 * {@link AllocatedInstance#walSpool()} when it can; the restore needs nothing else to know about it.
 *
 * <p>Promises:
 * <ul>
 *   <li><b>One taker.</b> The server and the restore both reach for a segment, and exactly one of them
 *       gets it: a segment the server took is gone for the restore ({@link #take} answers empty), and a
 *       segment the restore took back is gone for the server (its {@link #restoreCommandFragment} fails,
 *       after which the rest of its {@code restore_command} asks the restore service).</li>
 *   <li><b>Whole segments only.</b> A segment becomes visible to the server only once {@link #put} has
 *       stored it in full, readable and writable by the server. Names other than a complete segment's
 *       (24 upper-case hex digits) are refused.</li>
 * </ul>
 */
public interface WalSpool {

    /** Puts a complete segment where the server will find it, replacing one of the same name. */
    void put(String segmentName, byte[] bytes) throws IOException;

    /** Whether the segment is still waiting in the spool (the server has not taken it). */
    boolean holds(String segmentName);

    /** Takes a segment back out of the spool: its bytes, or empty when the server took it first. */
    Optional<byte[]> take(String segmentName) throws IOException;

    /** Removes a segment the server no longer needs; a no-op if it took it. */
    void discard(String segmentName) throws IOException;

    /** Removes every segment (after the restore, so segments past its target do not linger). */
    void clear() throws IOException;

    /**
     * The part of the server's {@code restore_command} that takes segment {@code %f} from this spool to
     * {@code %p}: a shell command that exits 0 when it did, and non-zero without output when the
     * segment is not there, so that {@code <fragment> || <fetch>} falls back to fetching it.
     */
    String restoreCommandFragment();
}
