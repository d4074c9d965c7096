package io.tideline.archiver.changes;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.time.Instant;

/** Builds whole WAL records as PostgreSQL 15 lays them out (xlogrecord.h), for the decoder's unit tests. */
final class Records {

    static final Instant EPOCH = Instant.parse("2000-01-01T00:00:00Z");

    private Records() {
    }

    /** A record with block reference 0 on {@code file} (no image, no block data) and {@code main} as main data. */
    static byte[] withBlock(long xid, int rmid, int info, RelFile file, byte[] main) {
        ByteBuffer blocks = le(4 + 12 + 4);
        blocks.put((byte) 0).put((byte) 0).putShort((short) 0);
        blocks.putInt((int) file.tablespace()).putInt((int) file.database()).putInt((int) file.relfilenode()).putInt(0);
        return record(xid, rmid, info, blocks.array(), main);
    }

    /** The same with a full-page image of {@code imageLength} bytes (uncompressed, no hole) on block 0. */
    static byte[] withImage(long xid, int rmid, int info, RelFile file, byte[] main, int imageLength) {
        ByteBuffer blocks = le(4 + 5 + 12 + 4);
        blocks.put((byte) 0).put((byte) 0x10).putShort((short) 0);
        blocks.putShort((short) imageLength).putShort((short) 0).put((byte) 0x02);
        blocks.putInt((int) file.tablespace()).putInt((int) file.database()).putInt((int) file.relfilenode()).putInt(0);
        return record(xid, rmid, info, blocks.array(), main, new byte[imageLength]);
    }

    static byte[] noBlock(long xid, int rmid, int info, byte[] main) {
        return record(xid, rmid, info, new byte[0], main);
    }

    private static byte[] record(long xid, int rmid, int info, byte[] blockHeaders, byte[] main, byte[]... blockData) {
        int dataLength = 0;
        for (byte[] d : blockData) {
            dataLength += d.length;
        }
        boolean shortMain = main.length < 256;
        int mainHeader = main.length == 0 ? 0 : shortMain ? 2 : 5;
        int total = 24 + blockHeaders.length + mainHeader + dataLength + main.length;
        ByteBuffer b = le(total);
        b.putInt(total).putInt((int) xid).putLong(0).put((byte) info).put((byte) rmid).putShort((short) 0).putInt(0);
        b.put(blockHeaders);
        if (main.length > 0) {
            if (shortMain) {
                b.put((byte) 255).put((byte) main.length);
            } else {
                b.put((byte) 254).putInt(main.length);
            }
        }
        for (byte[] d : blockData) {
            b.put(d);
        }
        b.put(main);
        return b.array();
    }

    static byte[] heapDelete(int flags) {
        return le(8).putInt(0).putShort((short) 1).put((byte) 0).put((byte) flags).array();
    }

    static byte[] heapUpdate() {
        return new byte[14];
    }

    /** xl_xact_commit/abort main data: time, xinfo, then the parts present, in ParseCommitRecord's order. */
    static byte[] xact(Instant at, long[] subxacts, RelFile[] rels, long[][] droppedStats, int invals, Long twoPhaseXid) {
        int xinfo = 0;
        ByteArrayOutputStream parts = new ByteArrayOutputStream();
        if (subxacts.length > 0) {
            xinfo |= 1 << 1;
            ByteBuffer p = le(4 + 4 * subxacts.length).putInt(subxacts.length);
            for (long x : subxacts) {
                p.putInt((int) x);
            }
            parts.writeBytes(p.array());
        }
        if (rels.length > 0) {
            xinfo |= 1 << 2;
            ByteBuffer p = le(4 + 12 * rels.length).putInt(rels.length);
            for (RelFile r : rels) {
                p.putInt((int) r.tablespace()).putInt((int) r.database()).putInt((int) r.relfilenode());
            }
            parts.writeBytes(p.array());
        }
        if (droppedStats.length > 0) {
            xinfo |= 1 << 8;
            ByteBuffer p = le(4 + 12 * droppedStats.length).putInt(droppedStats.length);
            for (long[] s : droppedStats) {
                p.putInt((int) s[0]).putInt((int) s[1]).putInt((int) s[2]);
            }
            parts.writeBytes(p.array());
        }
        if (invals > 0) {
            xinfo |= 1 << 3;
            parts.writeBytes(le(4 + 16 * invals).putInt(invals).array());
        }
        if (twoPhaseXid != null) {
            xinfo |= 1 << 4;
            parts.writeBytes(le(4).putInt((int) (long) twoPhaseXid).array());
        }
        ByteBuffer b = le(12 + parts.size());
        b.putLong(Duration.between(EPOCH, at).toNanos() / 1000).putInt(xinfo).put(parts.toByteArray());
        return b.array();
    }

    static byte[] runningXacts(long nextXid, long oldestRunning) {
        return le(24).putInt(0).putInt(0).put((byte) 0).put(new byte[3]).putInt((int) nextXid).putInt((int) oldestRunning)
                .putInt((int) nextXid - 1).array();
    }

    static byte[] dbaseDrop(long db) {
        return le(12).putInt((int) db).putInt(1).putInt(1663).array();
    }

    private static ByteBuffer le(int n) {
        return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    }
}
