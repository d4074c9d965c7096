package io.tideline.restore;

import com.github.luben.zstd.Zstd;
import io.tideline.core.ids.InstanceId;
import io.tideline.core.registry.RegisteredInstance;
import io.tideline.core.restore.RestorePoint;
import io.tideline.core.storage.BucketLayout;
import io.tideline.core.storage.NoSuchObjectException;
import io.tideline.core.storage.ObjectStore;
import io.tideline.core.storage.Sha256;
import io.tideline.core.storage.StorageException;
import io.tideline.core.storage.StoredObject;
import io.tideline.core.storage.WalObjectMetadata;
import io.tideline.core.wal.CommitRecordScanner;
import io.tideline.core.wal.Lsn;
import io.tideline.core.window.BucketInventory;
import io.tideline.core.window.RestorableBackup;
import io.tideline.core.window.RestorableWindow;
import io.tideline.core.window.TimelinePath;
import io.tideline.core.window.WalEntry;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link TargetFacts} read from the source's bucket.
 *
 * <p><b>Transactions.</b> Nothing records where a transaction id ended, so the stored WAL itself is read:
 * each WAL object along the window's history, oldest first from the oldest restorable backup's start, is
 * downloaded, checked against its sha256s, decompressed and fed to {@link CommitRecordScanner} (the same
 * reader the archiver uses for commit times) until the xid's commit or abort record is found. Correct by
 * construction for every stored object (old ones too), nothing extra to store or expire; the price is
 * reading the window's WAL up to the transaction, only for xid targets (docs/decisions.md). Per segment the
 * copy of the newest timeline on the history is read, and no further than where that timeline stops being
 * the history. Xids wrap around after 2^32: the first record found after the oldest backup wins.
 *
 * <p><b>Restore points.</b> {@code restore-points/<name>.json}, read verified.
 */
final class StoredTargetFacts implements TargetFacts {

    private static final Logger LOG = LoggerFactory.getLogger(StoredTargetFacts.class);

    private final Function<InstanceId, ObjectStore> stores;

    StoredTargetFacts(Function<InstanceId, ObjectStore> stores) {
        this.stores = stores;
    }

    @Override
    public Optional<TransactionEnd> transactionEnd(RegisteredInstance source, BucketInventory inventory, RestorableWindow window,
                                                   long walXid) {
        List<RestorableBackup> backups = window.restorableBackups();
        if (backups.isEmpty()) {
            return Optional.empty();
        }
        Lsn from = backups.stream().map(b -> b.backup().startLsn()).min(Comparator.naturalOrder()).orElseThrow();
        Lsn to = backups.stream().map(RestorableBackup::walReachedLsn).max(Comparator.naturalOrder()).orElseThrow();
        BucketLayout layout = BucketLayout.forSegmentSize(source.walSegmentSize());
        ObjectStore store = stores.apply(source.id());
        Found found = new Found(walXid);
        CommitRecordScanner scanner = new CommitRecordScanner(layout.walSegmentSize(), found);
        long scanned = 0;
        for (Map.Entry<Long, Read> e : readsAlong(inventory, window.timelinePath(), from, to, layout.walSegmentSize()).entrySet()) {
            Read read = e.getValue();
            byte[] raw = rawWal(store, read.entry());
            int length = (int) Math.min(raw.length, read.until().bytesSince(read.entry().startLsn()));
            scanner.feed(read.entry().startLsn(), raw, 0, length);
            scanned++;
            if (found.end.isPresent()) {
                break;
            }
        }
        LOG.info("xid {} of {}: {} after reading {} WAL object(s)", walXid, source.id(),
                found.end.map(t -> (t.committed() ? "committed" : "aborted") + " at " + t.recordEnd() + " (" + t.at() + ")")
                        .orElse("not found"), scanned);
        return found.end;
    }

    @Override
    public Optional<RestorePoint> restorePoint(RegisteredInstance source, String name) {
        BucketLayout layout = BucketLayout.forSegmentSize(source.walSegmentSize());
        try {
            return Optional.of(RestorePoint.parse(stores.apply(source.id()).getVerified(layout.restorePoint(name))));
        } catch (NoSuchObjectException e) {
            return Optional.empty();
        } catch (IllegalArgumentException e) {
            ObjectStore store = stores.apply(source.id());
            throw new StorageException("restore point " + layout.restorePoint(name) + " cannot be read: " + e.getMessage(),
                    store.bucket(), layout.restorePoint(name), false, e);
        }
    }

    private record Read(WalEntry entry, Lsn until) {
    }

    /**
     * Per segment number from {@code from}'s to {@code to}'s: the object the history reads it from (the newest
     * timeline on the path that holds it; a complete segment before its partial) and how far to read it.
     */
    private static TreeMap<Long, Read> readsAlong(BucketInventory inventory, TimelinePath path, Lsn from, Lsn to, long segmentSize) {
        long first = Long.divideUnsigned(from.value(), segmentSize);
        long last = Long.divideUnsigned(to.value() - 1, segmentSize);
        TreeMap<Long, Read> reads = new TreeMap<>();
        for (WalEntry w : inventory.wal()) {
            long segNo = w.segment().segmentNo();
            if (segNo < first || segNo > last) {
                continue;
            }
            Optional<TimelinePath.Span> span = path.span(w.timeline());
            if (span.isEmpty() || Long.divideUnsigned(span.get().begin().value(), segmentSize) > segNo) {
                continue;
            }
            Lsn until = span.get().end().filter(end -> end.isBefore(w.endLsn())).orElse(w.endLsn());
            if (!until.isAfter(w.startLsn())) {
                continue;
            }
            Read candidate = new Read(w, until);
            reads.merge(segNo, candidate, StoredTargetFacts::better);
        }
        return reads;
    }

    private static Read better(Read a, Read b) {
        if (a.entry().timeline() != b.entry().timeline()) {
            return a.entry().timeline() > b.entry().timeline() ? a : b;
        }
        return a.until().compareTo(b.until()) >= 0 ? a : b;
    }

    /** The WAL bytes of {@code entry}, checked against the sha256 of the stored object and of the WAL. */
    private static byte[] rawWal(ObjectStore store, WalEntry entry) {
        String key = entry.object().key();
        StoredObject head = store.head(key).orElseThrow(() -> broken(store, key, "it disappeared while looking for a transaction"));
        WalObjectMetadata meta;
        try {
            meta = WalObjectMetadata.from(head);
        } catch (IllegalArgumentException e) {
            throw broken(store, key, e.getMessage());
        }
        byte[] compressed = store.getVerified(key);
        byte[] raw;
        try {
            raw = Zstd.decompress(compressed, (int) meta.rawBytes());
        } catch (RuntimeException e) {
            throw broken(store, key, "it does not decompress: " + e.getMessage());
        }
        if (raw.length != meta.rawBytes() || !Sha256.of(raw).equals(meta.rawSha256())) {
            throw broken(store, key, "checksum mismatch after decompression (recorded raw sha256 " + meta.rawSha256() + ")");
        }
        return raw;
    }

    private static StorageException broken(ObjectStore store, String key, String why) {
        return new StorageException("WAL object " + key + " cannot be read: " + why, store.bucket(), key, false, null);
    }

    /** Keeps the first commit or abort record of the wanted xid. */
    private static final class Found implements CommitRecordScanner.Listener {
        private final long xid;
        private Optional<TransactionEnd> end = Optional.empty();

        Found(long xid) {
            this.xid = xid;
        }

        @Override
        public void commit(Lsn recordEnd, Instant xactTime) {
            // the transaction is told in transactionEnd
        }

        @Override
        public void transactionEnd(long recordXid, boolean committed, Lsn recordEnd, Instant xactTime) {
            if (end.isEmpty() && recordXid == xid) {
                end = Optional.of(new TransactionEnd(recordXid, committed, recordEnd, xactTime));
            }
        }
    }
}
