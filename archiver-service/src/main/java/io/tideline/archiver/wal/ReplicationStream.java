package io.tideline.archiver.wal;

import io.tideline.core.wal.Lsn;
import java.sql.SQLException;

/**
 * One physical replication stream, as the streamer uses it: WAL in order, positions out. The seam
 * between the streamer's logic ({@link WalPump}) and the protocol ({@link PhysicalStream} over
 * pgjdbc), so that logic runs in unit tests against a scripted stream.
 *
 * <p>Promises every implementation keeps:
 * <ul>
 *   <li>{@link #poll()} never blocks: WAL bytes if some arrived, else null. WAL comes in order,
 *       each piece starting where the previous one ended.</li>
 *   <li>The position reported to the server as flushed (and applied) is only ever what
 *       {@link #confirmStored} was told — the position a physical slot's {@code restart_lsn} follows —
 *       and it never moves back.</li>
 *   <li>Used by one thread. A stream is never ended gracefully: it ends with its connection.</li>
 * </ul>
 */
interface ReplicationStream {

    /** The next WAL bytes with their position if the server sent some, else null; throws if the stream broke or ended. */
    ReplicationMessage.XLogData poll() throws SQLException;

    /** The object store confirmed every byte before {@code position}: the slot may release them. */
    void confirmStored(Lsn position);

    /** Reports the positions to the server if the status interval passed since the last report, or at once with {@code force}. */
    void sendStatus(boolean force) throws SQLException;

    /** The end of WAL the server has told us about: its flush position, as far as we know. */
    Lsn serverWalEnd();
}
