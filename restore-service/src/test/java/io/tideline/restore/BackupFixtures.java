package io.tideline.restore;

import com.github.luben.zstd.ZstdOutputStream;
import io.tideline.core.basebackup.BackupManifest;
import io.tideline.core.ids.BackupId;
import io.tideline.core.ids.InstanceId;
import io.tideline.core.storage.BucketLayout;
import io.tideline.core.storage.ObjectStore;
import io.tideline.core.storage.Sha256;
import io.tideline.core.wal.Lsn;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Random;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/** Base backups made in memory, in the archiver's format: one zstd stream of one tar, cut into parts. */
final class BackupFixtures {

    private BackupFixtures() {
    }

    /**
     * Stores {@code files} as backup {@code id} of {@code instance} in {@code store}: the stream cut every
     * {@code partSize} bytes, each part's sha256 in the manifest, the manifest written last.
     */
    static BackupManifest storeBackup(ObjectStore store, InstanceId instance, BackupId id, Map<String, byte[]> files,
                                      int partSize) throws IOException {
        byte[] tar = tar(files, "");
        byte[] stream = zstd(tar, new byte[0]);
        BucketLayout layout = BucketLayout.DEFAULT;
        List<BackupManifest.Part> parts = new ArrayList<>();
        for (int offset = 0, n = 1; offset < stream.length; offset += partSize, n++) {
            byte[] part = Arrays.copyOfRange(stream, offset, Math.min(stream.length, offset + partSize));
            String key = layout.backupPart(id, n);
            store.put(key, part, Map.of());
            parts.add(new BackupManifest.Part(key, OptionalLong.empty(), part.length, Sha256.of(part)));
        }
        Instant started = Instant.parse("2026-11-20T10:00:00Z");
        BackupManifest manifest = new BackupManifest(BackupManifest.FORMAT_VERSION, id, instance, "daily:2026-11-20", 1,
                new Lsn(0x1000028), new Lsn(0x1000138), started, started.plusSeconds(60), 150018, 7_000_000_000_000_000_001L,
                layout.walSegmentSize(), tar.length, stream.length, BackupManifest.ZSTD, parts, List.of());
        store.put(layout.backupManifest(id), manifest.toJson(), Map.of());
        return manifest;
    }

    static byte[] bytes(Random random, int length) {
        byte[] b = new byte[length];
        random.nextBytes(b);
        return b;
    }

    static byte[] tar(Map<String, byte[]> files, String prefix) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (Map.Entry<String, byte[]> f : files.entrySet()) {
                TarArchiveEntry entry = new TarArchiveEntry(prefix + f.getKey());
                entry.setSize(f.getValue().length);
                tar.putArchiveEntry(entry);
                tar.write(f.getValue());
                tar.closeArchiveEntry();
            }
        }
        return out.toByteArray();
    }

    static byte[] zstd(byte[] tar, byte[] trailer) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZstdOutputStream z = new ZstdOutputStream(out, 3)) {
            z.write(tar);
            z.write(trailer);
        }
        return out.toByteArray();
    }
}
