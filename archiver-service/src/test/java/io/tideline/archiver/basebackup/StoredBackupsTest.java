package io.tideline.archiver.basebackup;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tideline.core.basebackup.BackupManifest;
import io.tideline.core.ids.BackupId;
import io.tideline.core.ids.InstanceId;
import io.tideline.core.storage.BucketLayout;
import io.tideline.core.storage.Sha256;
import io.tideline.core.wal.Lsn;
import io.tideline.testkit.storage.InMemoryObjectStore;
import io.tideline.testkit.storage.InMemoryObjectStore.Operation;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** The idempotence check of base backups and their removal, on the in-memory store. */
class StoredBackupsTest {

    private static final BucketLayout LAYOUT = BucketLayout.DEFAULT;
    private static final Instant T = Instant.parse("2026-12-01T02:00:00Z");

    private final InMemoryObjectStore store = new InMemoryObjectStore("tideline-pg-1");
    private final StoredBackups backups = new StoredBackups();

    @Test
    void findsTheCompleteBackupOfACommandAndNoOther() {
        BackupManifest daily = store(BackupId.of(T, "aaaa"), "daily:pg-1:2026-12-01");
        store(BackupId.of(T.plusSeconds(60), "bbbb"), "ondemand:42");
        // data without a manifest is not a backup
        store.put(LAYOUT.backupPart(BackupId.of(T.plusSeconds(120), "cccc"), 1), new byte[3], Map.of());

        assertEquals(Optional.of(daily), backups.byCommand(store, LAYOUT, "daily:pg-1:2026-12-01"));
        assertEquals(Optional.empty(), backups.byCommand(store, LAYOUT, "daily:pg-1:2026-12-02"));
    }

    @Test
    void aManifestIsReadOnceButTheListingEveryTimeSoARemovedBackupIsNotFound() {
        BackupId id = BackupId.of(T, "aaaa");
        store(id, "daily:pg-1:2026-12-01");
        backups.byCommand(store, LAYOUT, "daily:pg-1:2026-12-01");
        int reads = store.attempts(Operation.READ);

        assertEquals(id, backups.byCommand(store, LAYOUT, "daily:pg-1:2026-12-01").orElseThrow().backupId());
        assertEquals(reads, store.attempts(Operation.READ), "the manifest came from the cache");

        store.delete(LAYOUT.backupManifest(id));
        assertEquals(Optional.empty(), backups.byCommand(store, LAYOUT, "daily:pg-1:2026-12-01"));
    }

    @Test
    void anUnreadableManifestIsNotTheSameCommand() {
        BackupId id = BackupId.of(T, "aaaa");
        store.put(LAYOUT.backupManifest(id), "{\"formatVersion\": 99}".getBytes(StandardCharsets.UTF_8), Map.of());

        assertEquals(Optional.empty(), backups.byCommand(store, LAYOUT, "daily:pg-1:2026-12-01"));
    }

    @Test
    void deleteRemovesTheManifestAndEveryObjectOfTheBackupOnly() {
        BackupId gone = BackupId.of(T, "aaaa");
        BackupId kept = BackupId.of(T.plusSeconds(60), "bbbb");
        store(gone, "daily:pg-1:2026-12-01");
        store(kept, "daily:pg-1:2026-12-02");
        backups.byCommand(store, LAYOUT, "daily:pg-1:2026-12-01");

        backups.delete(store, LAYOUT, gone);

        assertEquals(List.of(), store.list(LAYOUT.backupPrefix(gone)));
        assertEquals(2, store.list(LAYOUT.backupPrefix(kept)).size());
        assertEquals(Optional.empty(), backups.byCommand(store, LAYOUT, "daily:pg-1:2026-12-01"), "a removed backup is not found");
    }

    private BackupManifest store(BackupId id, String commandId) {
        String part = LAYOUT.backupPart(id, 1);
        byte[] data = commandId.getBytes(StandardCharsets.UTF_8);
        store.put(part, data, Map.of());
        BackupManifest manifest = BackupManifest.builder(id, InstanceId.of("pg-1"), commandId).timeline(1)
                .startLsn(Lsn.parse("0/2000028")).endLsn(Lsn.parse("0/2000138")).startedAt(T).finishedAt(T.plusSeconds(30))
                .postgresVersion(150018).systemIdentifier(7L).walSegmentSize(LAYOUT.walSegmentSize()).rawBytes(100)
                .parts(List.of(new BackupManifest.Part(part, OptionalLong.empty(), data.length, Sha256.of(data))))
                .build();
        store.put(LAYOUT.backupManifest(id), manifest.toJson(), Map.of());
        return manifest;
    }
}
