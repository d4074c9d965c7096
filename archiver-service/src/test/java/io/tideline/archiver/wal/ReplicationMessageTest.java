package io.tideline.archiver.wal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tideline.core.wal.Lsn;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ReplicationMessageTest {

    @Test
    void xlogDataCarriesStartServerEndAndTheBytesWithoutCopying() {
        byte[] wal = {1, 2, 3, 4, 5};
        byte[] message = ByteBuffer.allocate(25 + wal.length).put((byte) 'w').putLong(0x1_0000_0000L + 0x600000)
                .putLong(0x1_0000_0000L + 0x926120).putLong(12345).put(wal).array();

        ReplicationMessage.XLogData data = (ReplicationMessage.XLogData) ReplicationMessage.parse(message);

        assertEquals(Lsn.parse("1/600000"), data.start());
        assertEquals(Lsn.parse("1/926120"), data.serverWalEnd());
        assertEquals(java.time.Instant.parse("2000-01-01T00:00:00.012345Z"), data.sentAt(), "microseconds since 2000-01-01 UTC");
        assertEquals(5, data.length());
        assertEquals(Lsn.parse("1/600005"), data.end());
        assertArrayEquals(wal, Arrays.copyOfRange(data.message(), data.offset(), data.offset() + data.length()));
    }

    @Test
    void keepaliveTellsWhetherAReplyIsRequested() {
        byte[] ask = ByteBuffer.allocate(18).put((byte) 'k').putLong(0x926200).putLong(1).put((byte) 1).array();
        byte[] quiet = ByteBuffer.allocate(18).put((byte) 'k').putLong(0x926200).putLong(1).put((byte) 0).array();

        ReplicationMessage.Keepalive k = (ReplicationMessage.Keepalive) ReplicationMessage.parse(ask);
        assertEquals(Lsn.parse("0/926200"), k.serverWalEnd());
        assertTrue(k.replyRequested());
        assertFalse(((ReplicationMessage.Keepalive) ReplicationMessage.parse(quiet)).replyRequested());
    }

    @Test
    void malformedMessagesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> ReplicationMessage.parse(new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> ReplicationMessage.parse(new byte[] {'w', 0, 0}));
        assertThrows(IllegalArgumentException.class, () -> ReplicationMessage.parse(new byte[] {'k', 0}));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ReplicationMessage.parse(new byte[] {'x', 0}));
        assertTrue(e.getMessage().contains("'x'"), e.getMessage());
    }

    @Test
    void standbyStatusIsLaidOutAsTheProtocolSays() {
        Instant now = Instant.parse("2000-01-01T00:00:01.000002Z");
        byte[] status = ReplicationMessage.standbyStatus(Lsn.parse("0/3000060"), Lsn.parse("0/3000000"), Lsn.ZERO, now, true);

        ByteBuffer in = ByteBuffer.wrap(status);
        assertEquals(34, status.length);
        assertEquals('r', in.get());
        assertEquals(0x3000060L, in.getLong());
        assertEquals(0x3000000L, in.getLong());
        assertEquals(0L, in.getLong());
        assertEquals(1_000_002L, in.getLong(), "microseconds since 2000-01-01");
        assertEquals(1, in.get());
    }
}
