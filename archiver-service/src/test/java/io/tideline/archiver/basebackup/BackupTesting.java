package io.tideline.archiver.basebackup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.luben.zstd.ZstdInputStream;
import io.micronaut.context.ApplicationContext;
import io.tideline.core.basebackup.BackupLabel;
import io.tideline.core.basebackup.BackupManifest;
import io.tideline.core.ids.BackupId;
import io.tideline.core.kafka.TopicCreator;
import io.tideline.core.kafka.Topics;
import io.tideline.core.kafka.TopicsConfiguration;
import io.tideline.core.storage.BucketLayout;
import io.tideline.core.storage.ObjectKind;
import io.tideline.core.storage.ObjectStore;
import io.tideline.core.storage.Sha256;
import io.tideline.core.storage.StoredObject;
import io.tideline.schemas.BackupCommand;
import io.tideline.schemas.BackupReason;
import io.tideline.testkit.Fleet;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.kafka.clients.admin.Admin;

/** What the base-backup ITs share: starting the archiver against the fleet, commands, and bucket checks. */
final class BackupTesting {

    static final Duration WAIT = Duration.ofSeconds(90);

    private BackupTesting() {
    }

    static void createTopics(Fleet fleet) {
        try (Admin admin = fleet.kafka().adminClient()) {
            new TopicCreator(admin, Duration.ofSeconds(30)).ensure(Topics.specs(TopicsConfiguration.defaults()));
        }
    }

    /** The archiver's base backups only (no WAL streaming: the tests store WAL themselves). */
    static ApplicationContext startArchiver(Fleet fleet, Map<String, Object> extra) {
        Map<String, Object> props = archiverProperties(fleet);
        props.putAll(extra);
        return ApplicationContext.run(props);
    }

    /** What {@link #startArchiver} configures, for an archiver run elsewhere (a child JVM). */
    static Map<String, Object> archiverProperties(Fleet fleet) {
        Map<String, Object> props = new HashMap<>(fleet.serviceProperties());
        props.put("spec.name", "BaseBackupIT");
        props.put("tideline.archiver.wal.enabled", false);
        props.put(BackupSettings.PREFIX + ".progress-interval", "300ms");
        props.put(BackupSettings.PREFIX + ".wal-poll-initial", "200ms");
        props.put(BackupSettings.PREFIX + ".wal-poll-max", "1s");
        props.put(BackupSettings.PREFIX + ".part-raw-bytes", 8L * 1024 * 1024);
        return props;
    }

    static BackupCommand command(String instance, String commandId, BackupReason reason) {
        Instant now = Instant.now();
        return BackupCommand.newBuilder().setEventId(UUID.randomUUID()).setInstanceId(instance).setOccurredAt(now)
                .setCommandId(commandId).setReason(reason).setRequestedBy("BaseBackupIT").setRequestedAt(now).build();
    }

    /** The manifests in the bucket, by backup id. */
    static Map<BackupId, BackupManifest> manifests(ObjectStore store) {
        Map<BackupId, BackupManifest> found = new HashMap<>();
        for (StoredObject o : store.list(BucketLayout.BASEBACKUPS)) {
            if (BucketLayout.DEFAULT.parse(o.key()) instanceof ObjectKind.BackupManifest m) {
                found.put(m.backupId(), BackupManifest.parse(store.getVerified(o.key())));
            }
        }
        return found;
    }

    /** Backup ids with objects in the bucket (with or without manifest). */
    static Set<BackupId> backupDirectories(ObjectStore store) {
        Set<BackupId> ids = new HashSet<>();
        for (StoredObject o : store.list(BucketLayout.BASEBACKUPS)) {
            ObjectKind kind = BucketLayout.DEFAULT.parse(o.key());
            if (kind instanceof ObjectKind.BackupPart p) {
                ids.add(p.backupId());
            } else if (kind instanceof ObjectKind.BackupManifest m) {
                ids.add(m.backupId());
            }
        }
        return ids;
    }

    /**
     * Re-reads every part: its sha256 and size must be the manifest's, each must decompress on its own
     * to its recorded raw size, and together they must be a tar of a data directory holding the label
     * with the manifest's start LSN. Returns the tar's member names.
     */
    static List<String> verifyParts(ObjectStore store, BackupManifest manifest) throws IOException {
        long raw = 0;
        List<InputStream> decompressed = new ArrayList<>();
        for (int i = 0; i < manifest.parts().size(); i++) {
            // numbered 1..n in stream order (regression: a part completing in the background once reused its number)
            assertEquals(BucketLayout.DEFAULT.backupPart(manifest.backupId(), i + 1), manifest.parts().get(i).key());
        }
        for (BackupManifest.Part part : manifest.parts()) {
            MessageDigest sha = Sha256.newDigest();
            byte[] bytes;
            try (InputStream in = new DigestInputStream(store.open(part.key()), sha)) {
                bytes = in.readAllBytes();
            }
            assertEquals(part.sha256(), Sha256.ofDigest(sha.digest()), "sha256 of " + part.key() + " re-read from the store");
            // storedBytes counts what the bucket holds (encrypted at rest); the stream read back is the plain part
            assertEquals(part.storedBytes(), store.head(part.key()).orElseThrow().size(), "stored size of " + part.key());
            long partRaw;
            try (InputStream z = new ZstdInputStream(new ByteArrayInputStream(bytes))) {
                partRaw = z.transferTo(java.io.OutputStream.nullOutputStream());
            }
            assertEquals(part.rawBytes().orElseThrow(), partRaw, "raw size of " + part.key() + " decompressed on its own");
            raw += partRaw;
            decompressed.add(new ZstdInputStream(new ByteArrayInputStream(bytes)));
        }
        assertEquals(manifest.rawBytes(), raw, "raw bytes of all parts");
        List<String> names = new ArrayList<>();
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new SequenceInputStream(Collections.enumeration(decompressed)))) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                names.add(e.getName());
                if (e.getName().equals(BackupLabel.FILE_NAME)) {
                    BackupLabel label = BackupLabel.parse(new String(tar.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
                    assertEquals(manifest.startLsn(), label.startLsn());
                    assertEquals(manifest.timeline(), label.timeline());
                }
            }
        }
        assertTrue(names.containsAll(List.of("backup_label", "PG_VERSION", "global/pg_control", "backup_manifest")), names.toString());
        return names;
    }
}
