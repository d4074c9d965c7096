package io.tideline.core.verify;

import io.tideline.core.basebackup.BackupManifest;
import io.tideline.core.ids.BackupId;
import io.tideline.core.ids.InstanceId;
import io.tideline.core.storage.BucketLayout;
import io.tideline.core.storage.MultipartUpload;
import io.tideline.core.storage.ObjectStore;
import io.tideline.core.storage.Sha256;
import io.tideline.core.storage.StoredObject;
import io.tideline.core.storage.WalObjectMetadata;
import io.tideline.core.wal.Lsn;
import io.tideline.core.wal.WalSegmentName;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Random;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

/**
 * Seeds an instance's bucket as the archiver lays it out (one backup of random parts written by multipart
 * upload with their sha256 in the manifest; WAL segments with their metadata), and damages objects as a
 * failing disk would: other bytes under the same key and the same recorded checksum, written with the S3
 * server's admin identity.
 */
final class VerifyBed {

    static final BucketLayout LAYOUT = BucketLayout.DEFAULT;
    static final long SEG = LAYOUT.walSegmentSize();

    private VerifyBed() {
    }

    /** The seeded backup: it starts in segment 1 and ends in segment 2. */
    record Seeded(BackupId backup, List<String> parts, List<String> wal) {
    }

    static Seeded seed(ObjectStore store, InstanceId instance, int parts, long partBytes, int segments, long walObjectBytes,
                       Instant start) {
        Random random = new Random(15);
        BackupId id = BackupId.of(start, "verify");
        List<BackupManifest.Part> recorded = new ArrayList<>();
        List<String> partKeys = new ArrayList<>();
        byte[] chunk = new byte[1 << 20];
        for (int p = 1; p <= parts; p++) {
            String key = LAYOUT.backupPart(id, p);
            MessageDigest digest = Sha256.newDigest();
            try (MultipartUpload upload = store.openMultipart(key, Map.of())) {
                for (long written = 0; written < partBytes; written += chunk.length) {
                    random.nextBytes(chunk);
                    int n = (int) Math.min(chunk.length, partBytes - written);
                    upload.write(chunk, 0, n);
                    digest.update(chunk, 0, n);
                }
                StoredObject done = upload.complete();
                recorded.add(new BackupManifest.Part(key, OptionalLong.of(partBytes), done.size(), Sha256.ofDigest(digest.digest())));
            }
            partKeys.add(key);
        }
        BackupManifest manifest = BackupManifest.builder(id, instance, "seed:" + id.value())
                .timeline(1).startLsn(new Lsn(SEG + 0x28)).endLsn(new Lsn(2 * SEG + 0x100))
                .startedAt(start).finishedAt(start.plusSeconds(60)).postgresVersion(150010).systemIdentifier(7)
                .walSegmentSize(SEG).rawBytes(parts * partBytes).parts(recorded).build();
        store.put(LAYOUT.backupManifest(id), manifest.toJson(), Map.of());
        List<String> walKeys = new ArrayList<>();
        byte[] wal = new byte[(int) walObjectBytes];
        for (int s = 1; s <= segments; s++) {
            WalSegmentName name = new WalSegmentName(1, s, SEG);
            random.nextBytes(wal);
            WalObjectMetadata meta = WalObjectMetadata.written(name.startLsn(), name.endLsn(), Sha256.of(wal),
                    start.plusSeconds(60L * (s + 1)));
            store.putIfAbsentOrSame(LAYOUT.walSegment(name), wal, meta.toMap());
            walKeys.add(LAYOUT.walSegment(name));
        }
        return new Seeded(id, partKeys, walKeys);
    }

    /** Replaces the object's bytes with one byte flipped, keeping its metadata (its recorded sha256 with it). */
    /** Flips one stored byte (of the encrypted object, as bit rot would), keeping the object's metadata. */
    static void flipOneByte(ObjectStore store, S3Client admin, String key) {
        var original = admin.getObjectAsBytes(b -> b.bucket(store.bucket()).key(key));
        byte[] bytes = original.asByteArray();
        bytes[bytes.length / 2] ^= (byte) 0xFF;
        Map<String, String> metadata = new HashMap<>(original.response().metadata());
        admin.putObject(PutObjectRequest.builder().bucket(store.bucket()).key(key).metadata(metadata).build(),
                RequestBody.fromBytes(bytes));
    }
}
