package io.tideline.archiver.changes;

/**
 * The parts of one whole, CRC-checked WAL record the undo finder reads (PostgreSQL 15 {@code xlogrecord.h}):
 * the header's xid, info and resource manager, the first block reference's relation file, and where the main
 * data lies. A record whose block headers do not add up is {@link #valid()} false and must be ignored.
 *
 * <p>Layout: the 24-byte {@code XLogRecord}, then block headers ({@code XLogRecordBlockHeader}: id, fork
 * flags, data length; an image header when it carries a full-page image, with a compression header when the
 * image has a hole and is compressed; the {@code RelFileNode} unless the same as the previous block's; the
 * block number), then the origin / top-level xid / main-data-length headers; the data follows, the main data last.
 */
final class WalRecordView {

    static final int HEADER = 24;
    private static final int BLOCK_ID_MAX = 32;
    private static final int DATA_SHORT = 255;
    private static final int DATA_LONG = 254;
    private static final int ORIGIN = 253;
    private static final int TOPLEVEL_XID = 252;
    private static final int HAS_IMAGE = 0x10;
    private static final int SAME_REL = 0x80;
    private static final int IMAGE_HAS_HOLE = 0x01;
    private static final int IMAGE_COMPRESSED = 0x04 | 0x08 | 0x10; // pglz, lz4, zstd

    private final byte[] record;
    private final int length;
    private RelFile firstBlock;
    private int mainOffset = -1;
    private int mainLength;
    private boolean valid;

    WalRecordView(byte[] record, int length) {
        this.record = record;
        this.length = length;
        parse();
    }

    boolean valid() {
        return valid;
    }

    /** {@code xl_xid}: the (sub)transaction that wrote it; 0 when none. */
    long xid() {
        return u32(record, 4); // XLogRecord: xl_tot_len (4), xl_xid (4), xl_prev (8), xl_info, xl_rmid, 2 padding, xl_crc (4)
    }

    int info() {
        return record[16] & 0xff;
    }

    int resourceManager() {
        return record[17] & 0xff;
    }

    /** The relation file of block reference 0, or null when the record has none. */
    RelFile firstBlock() {
        return firstBlock;
    }

    int mainOffset() {
        return mainOffset;
    }

    int mainLength() {
        return mainLength;
    }

    byte[] bytes() {
        return record;
    }

    private void parse() {
        int at = HEADER;
        long dataTotal = 0;
        while (length - at > dataTotal) { // as PostgreSQL's DecodeXLogRecord: headers until only data is left
            int id = record[at] & 0xff;
            if (id <= BLOCK_ID_MAX) {
                if (at + 4 > length) {
                    return;
                }
                int forkFlags = record[at + 1] & 0xff;
                dataTotal += u16(record, at + 2);
                at += 4;
                if ((forkFlags & HAS_IMAGE) != 0) {
                    if (at + 5 > length) {
                        return;
                    }
                    dataTotal += u16(record, at);
                    int imageInfo = record[at + 4] & 0xff;
                    at += 5;
                    if ((imageInfo & IMAGE_HAS_HOLE) != 0 && (imageInfo & IMAGE_COMPRESSED) != 0) {
                        at += 2;
                    }
                }
                if ((forkFlags & SAME_REL) == 0) {
                    if (at + 12 > length) {
                        return;
                    }
                    if (firstBlock == null) {
                        firstBlock = new RelFile(u32(record, at), u32(record, at + 4), u32(record, at + 8));
                    }
                    at += 12;
                } else if (firstBlock == null) {
                    return; // the first block cannot refer to a previous one
                }
                at += 4; // block number
            } else if (id == DATA_SHORT) {
                if (at + 2 > length) {
                    return;
                }
                mainLength = record[at + 1] & 0xff;
                at += 2;
                break;
            } else if (id == DATA_LONG) {
                if (at + 5 > length) {
                    return;
                }
                mainLength = (int) u32(record, at + 1);
                at += 5;
                break;
            } else if (id == ORIGIN) {
                at += 3;
            } else if (id == TOPLEVEL_XID) {
                at += 5;
            } else {
                return;
            }
        }
        // what follows the headers is the blocks' data, then the main data: it must add up to the record
        if (at + dataTotal + mainLength != length) {
            return;
        }
        mainOffset = length - mainLength;
        valid = true;
    }

    static long u32(byte[] b, int at) {
        return (b[at] & 0xffL) | (b[at + 1] & 0xffL) << 8 | (b[at + 2] & 0xffL) << 16 | (b[at + 3] & 0xffL) << 24;
    }

    static int u16(byte[] b, int at) {
        return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8;
    }

    static long u64(byte[] b, int at) {
        return u32(b, at) | u32(b, at + 4) << 32;
    }
}
