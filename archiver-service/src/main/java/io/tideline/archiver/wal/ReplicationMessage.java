package io.tideline.archiver.wal;

import io.tideline.core.wal.Lsn;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;

/**
 * The messages of PostgreSQL's streaming replication protocol inside CopyData, as documented in
 * "Streaming Replication Protocol" (server → client: XLogData {@code w}, primary keepalive
 * {@code k}; client → server: standby status update {@code r}). Integers are big-endian; times are
 * microseconds since 2000-01-01 UTC.
 */
public sealed interface ReplicationMessage {

    /** PostgreSQL's epoch for protocol timestamps. */
    Instant POSTGRES_EPOCH = Instant.parse("2000-01-01T00:00:00Z");

    /**
     * WAL bytes {@code [start, start + length)}, carried without copying inside the received message.
     *
     * @param start        position of the first byte
     * @param serverWalEnd the end of WAL on the server when it sent this (its flush position on a primary,
     *                     read just before {@code sentAt} was taken)
     * @param sentAt       the server's clock when it sent this: the clock of its commit timestamps
     * @param message      the whole CopyData payload
     * @param offset       where the WAL bytes begin in {@code message}
     */
    record XLogData(Lsn start, Lsn serverWalEnd, Instant sentAt, byte[] message, int offset) implements ReplicationMessage {
        public XLogData {
            Objects.requireNonNull(start, "start");
            Objects.requireNonNull(serverWalEnd, "serverWalEnd");
            Objects.requireNonNull(sentAt, "sentAt");
            Objects.requireNonNull(message, "message");
            if (offset < 0 || offset > message.length) {
                throw new IllegalArgumentException("offset " + offset + " outside a message of " + message.length + " bytes");
            }
        }

        public int length() {
            return message.length - offset;
        }

        /** The first position after these bytes. */
        public Lsn end() {
            return start.plus(length());
        }
    }

    /** The server's heartbeat; {@code replyRequested} asks for a status update at once. */
    record Keepalive(Lsn serverWalEnd, boolean replyRequested) implements ReplicationMessage {
        public Keepalive {
            Objects.requireNonNull(serverWalEnd, "serverWalEnd");
        }
    }

    int XLOG_DATA_HEADER = 1 + 8 + 8 + 8;
    int KEEPALIVE_LENGTH = 1 + 8 + 8 + 1;
    int STATUS_LENGTH = 1 + 8 + 8 + 8 + 8 + 1;

    /** Decodes one CopyData payload from the server; anything else is a protocol error. */
    static ReplicationMessage parse(byte[] copyData) {
        if (copyData == null || copyData.length == 0) {
            throw new IllegalArgumentException("empty replication message");
        }
        ByteBuffer in = ByteBuffer.wrap(copyData);
        byte type = in.get();
        switch (type) {
            case 'w' -> {
                if (copyData.length < XLOG_DATA_HEADER) {
                    throw new IllegalArgumentException("XLogData message too short: " + copyData.length + " bytes");
                }
                Lsn start = new Lsn(in.getLong());
                Lsn walEnd = new Lsn(in.getLong());
                Instant sentAt = POSTGRES_EPOCH.plus(in.getLong(), ChronoUnit.MICROS);
                return new XLogData(start, walEnd, sentAt, copyData, XLOG_DATA_HEADER);
            }
            case 'k' -> {
                if (copyData.length < KEEPALIVE_LENGTH) {
                    throw new IllegalArgumentException("keepalive message too short: " + copyData.length + " bytes");
                }
                Lsn walEnd = new Lsn(in.getLong());
                in.getLong();
                return new Keepalive(walEnd, in.get() != 0);
            }
            default -> throw new IllegalArgumentException("unexpected replication message type '" + (char) type + "' (0x"
                    + Integer.toHexString(type & 0xFF) + ")");
        }
    }

    /**
     * A standby status update: {@code written} = received, {@code flushed} = durably stored (what a
     * physical slot's {@code restart_lsn} follows), {@code applied} = what we report as replayed.
     * {@link Lsn#ZERO} means "unknown" and makes the server leave that position alone.
     */
    static byte[] standbyStatus(Lsn written, Lsn flushed, Lsn applied, Instant now, boolean replyRequested) {
        ByteBuffer out = ByteBuffer.allocate(STATUS_LENGTH);
        out.put((byte) 'r');
        out.putLong(written.value());
        out.putLong(flushed.value());
        out.putLong(applied.value());
        out.putLong(ChronoUnit.MICROS.between(POSTGRES_EPOCH, now));
        out.put((byte) (replyRequested ? 1 : 0));
        return out.array();
    }
}
