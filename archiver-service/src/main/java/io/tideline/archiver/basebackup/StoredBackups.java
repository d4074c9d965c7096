package io.tideline.archiver.basebackup;

import io.tideline.core.basebackup.BackupManifest;
import io.tideline.core.ids.BackupId;
import io.tideline.core.storage.BucketLayout;
import io.tideline.core.storage.NoSuchObjectException;
import io.tideline.core.storage.ObjectKind;
import io.tideline.core.storage.ObjectStore;
import io.tideline.core.storage.StoredObject;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The complete backups of a bucket, found by the command that asked for them: the idempotence
 * check. A manifest is written once and never changed, so the command id read from one is cached
 * by bucket and key; the listing itself is read every time (a manifest may have been removed).
 */
final class StoredBackups {

    private static final Logger LOG = LoggerFactory.getLogger(StoredBackups.class);

    private record CacheKey(String bucket, String key) {
    }

    private final Map<CacheKey, BackupManifest> manifests = new ConcurrentHashMap<>();

    /** The complete backup taken for {@code commandId}, if the bucket holds one. */
    Optional<BackupManifest> byCommand(ObjectStore store, BucketLayout layout, String commandId) {
        for (StoredObject listed : store.list(BucketLayout.BASEBACKUPS)) {
            if (!(layout.parse(listed.key()) instanceof ObjectKind.BackupManifest)) {
                continue;
            }
            Optional<BackupManifest> manifest = read(store, listed.key());
            if (manifest.isPresent() && manifest.get().commandId().equals(commandId)) {
                return manifest;
            }
        }
        return Optional.empty();
    }

    private Optional<BackupManifest> read(ObjectStore store, String key) {
        CacheKey cacheKey = new CacheKey(store.bucket(), key);
        BackupManifest cached = manifests.get(cacheKey);
        if (cached != null) {
            return Optional.of(cached);
        }
        try {
            BackupManifest manifest = BackupManifest.parse(store.getVerified(key));
            manifests.put(cacheKey, manifest);
            return Optional.of(manifest);
        } catch (NoSuchObjectException e) {
            return Optional.empty();
        } catch (IllegalArgumentException e) {
            // Not something this build can read: it cannot be "the same command" either.
            LOG.warn("ignoring unreadable manifest {} in {}: {}", key, store.bucket(), e.getMessage());
            return Optional.empty();
        }
    }

    /**
     * Removes a backup: the manifest first (from then on it is not a backup for anyone), then every
     * other object under its prefix.
     */
    void delete(ObjectStore store, BucketLayout layout, BackupId backup) {
        String manifestKey = layout.backupManifest(backup);
        store.delete(manifestKey);
        manifests.remove(new CacheKey(store.bucket(), manifestKey));
        List<String> rest = store.list(layout.backupPrefix(backup)).stream().map(StoredObject::key).toList();
        if (!rest.isEmpty()) {
            store.deleteAll(rest);
        }
    }
}
