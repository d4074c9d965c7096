package io.tideline.restore;

import io.tideline.core.ids.BackupId;
import io.tideline.core.ids.InstanceId;
import io.tideline.core.registry.RegisteredInstance;
import io.tideline.core.secrets.SecretRef;
import io.tideline.core.storage.BucketLayout;
import io.tideline.core.wal.Lsn;
import io.tideline.core.wal.WalSegmentName;
import io.tideline.core.window.BackupEntry;
import io.tideline.core.window.BucketInventory;
import io.tideline.core.window.ListedObject;
import io.tideline.core.window.WalEntry;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Registered instances and bucket inventories for the unit tests of validation and intake (no store involved). */
public final class RestoreFixtures {

    static final long SEG = WalSegmentName.DEFAULT_SEGMENT_SIZE;
    static final BucketLayout LAYOUT = BucketLayout.DEFAULT;
    public static final Instant T0 = Instant.parse("2026-11-20T10:00:00Z");

    private RestoreFixtures() {
    }

    /**
     * Backup aaaa (segment 1, consistent at T0+1 min), backup bbbb (segment 3, consistent at T0+15 min);
     * complete segments 1, 2, 3 stored at +2, +10, +20 min; segment 4 partial, stored at +25 min.
     */
    public static BucketInventory twoBackupsAndAPartial() {
        return BucketInventory.builder()
                .backup(backup("aaaa", 1, lsn(1, 0x28), lsn(1, 0x138), 0, 1))
                .backup(backup("bbbb", 1, lsn(3, 0x28), lsn(3, 0x100), 14, 15))
                .wal(complete(1, 2)).wal(complete(2, 10)).wal(complete(3, 20))
                .wal(WalEntry.partial(name(4), lsn(4, 0x8000), T0.plusSeconds(25 * 60),
                        new ListedObject(LAYOUT.walPartial(name(4)), 100, T0.plusSeconds(25 * 60))))
                .build();
    }

    static RegisteredInstance instance(InstanceId id, String name) {
        return instance(id, name, Optional.empty());
    }

    static RegisteredInstance instance(InstanceId id, String name, Optional<RegisteredInstance.Origin> restoredFrom) {
        return new RegisteredInstance(id, name, "127.0.0.1", 5432, "postgres", "tideline_admin",
                SecretRef.of("instances/" + id + "/admin"), "tideline_replicator", SecretRef.of("instances/" + id + "/replicator"),
                BucketLayout.bucketName(id), SecretRef.of("instances/" + id + "/s3-access-key"),
                SecretRef.of("instances/" + id + "/s3-secret-key"), 15, SEG, Optional.empty(), Optional.empty(),
                restoredFrom, T0);
    }

    static BackupEntry backup(String suffix, long timeline, Lsn start, Lsn end, long startMinute, long finishMinute) {
        BackupId id = BackupId.of(T0.plusSeconds(startMinute * 60), suffix);
        Instant finished = T0.plusSeconds(finishMinute * 60);
        return new BackupEntry(id, timeline, start, end, T0.plusSeconds(startMinute * 60), finished,
                new ListedObject(LAYOUT.backupManifest(id), 500, finished),
                List.of(new ListedObject(LAYOUT.backupPart(id, 1), 1000, finished)));
    }

    static WalEntry complete(long segment, long storedMinute) {
        Instant at = T0.plusSeconds(storedMinute * 60);
        return WalEntry.complete(name(segment), at, new ListedObject(LAYOUT.walSegment(name(segment)), 100, at));
    }

    static WalSegmentName name(long segment) {
        return new WalSegmentName(1, segment, SEG);
    }

    static Lsn lsn(long segment, long offset) {
        return new Lsn(segment * SEG + offset);
    }
}
