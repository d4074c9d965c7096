package io.tideline.archiver.wal;

import io.tideline.core.wal.Lsn;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.postgresql.copy.CopyDual;

/**
 * The {@link ReplicationStream} over pgjdbc's CopyBoth: hands out WAL as it arrives, answers the
 * server's keepalives and reports our positions. Used by one thread.
 *
 * <p>The position reported as <em>flushed</em> is only ever what {@link #confirmStored} was told:
 * bytes the object store confirmed. That is the position a physical slot's {@code restart_lsn}
 * follows, so the server keeps every byte that is not stored yet. Until something is confirmed in
 * this stream, {@link Lsn#ZERO} is reported, which the server ignores.
 *
 * <p>Reads never block (the connection's socket timeout still bounds pgjdbc's one blocking read,
 * after the server ended a stream). The stream is never ended gracefully: its connection is closed.
 */
final class PhysicalStream implements ReplicationStream {

    private final CopyDual copy;
    private final Duration statusInterval;
    private final Clock clock;
    private Lsn received;
    private Lsn stored = Lsn.ZERO;
    private Lsn serverWalEnd;
    private Instant lastStatus = Instant.MIN;

    PhysicalStream(CopyDual copy, Lsn start, Duration statusInterval, Clock clock) {
        this.copy = copy;
        this.statusInterval = statusInterval;
        this.clock = clock;
        this.received = start;
        this.serverWalEnd = start;
    }

    /** Keepalives are answered here, never returned. */
    @Override
    public ReplicationMessage.XLogData poll() throws SQLException {
        while (true) {
            if (!copy.isActive()) {
                throw new SQLException("the server ended the replication stream");
            }
            byte[] data = copy.readFromCopy(false);
            if (data == null) {
                return null;
            }
            ReplicationMessage message;
            try {
                message = ReplicationMessage.parse(data);
            } catch (IllegalArgumentException e) {
                throw new SQLException("replication protocol error: " + e.getMessage(), e);
            }
            if (message instanceof ReplicationMessage.Keepalive keepalive) {
                serverWalEnd = Lsn.max(serverWalEnd, keepalive.serverWalEnd());
                if (keepalive.replyRequested()) {
                    sendStatus(true);
                }
            } else if (message instanceof ReplicationMessage.XLogData xlog) {
                if (!xlog.start().equals(received)) {
                    throw new SQLException("replication stream out of order: expected WAL at " + received
                            + ", the server sent " + xlog.start());
                }
                received = xlog.end();
                serverWalEnd = Lsn.max(serverWalEnd, Lsn.max(xlog.serverWalEnd(), received));
                return xlog;
            }
        }
    }

    @Override
    public void confirmStored(Lsn position) {
        if (position.isAfter(stored)) {
            stored = position;
        }
    }

    @Override
    public void sendStatus(boolean force) throws SQLException {
        Instant now = clock.instant();
        if (!force && now.isBefore(lastStatus.plus(statusInterval))) {
            return;
        }
        byte[] status = ReplicationMessage.standbyStatus(received, stored, stored, now, false);
        copy.writeToCopy(status, 0, status.length);
        copy.flushCopy();
        lastStatus = now;
    }

    @Override
    public Lsn serverWalEnd() {
        return serverWalEnd;
    }
}
