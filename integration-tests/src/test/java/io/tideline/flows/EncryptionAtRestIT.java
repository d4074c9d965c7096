package io.tideline.flows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.luben.zstd.ZstdInputStream;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import io.tideline.core.ids.InstanceId;
import io.tideline.core.instance.ProvisionedInstance;
import io.tideline.core.inventory.BucketInventoryReader;
import io.tideline.core.kafka.Topics;
import io.tideline.core.registry.InstanceOnboarding;
import io.tideline.core.secrets.SecretRef;
import io.tideline.core.storage.BucketLayout;
import io.tideline.core.storage.ChecksumMismatchException;
import io.tideline.core.storage.ObjectAuthenticationException;
import io.tideline.core.storage.ObjectStore;
import io.tideline.core.storage.encryption.KeyService;
import io.tideline.core.wal.Lsn;
import io.tideline.schemas.BackupCommand;
import io.tideline.schemas.BackupCompleted;
import io.tideline.schemas.BackupReason;
import io.tideline.schemas.RestoreCompleted;
import io.tideline.schemas.RestoreFailed;
import io.tideline.schemas.RestoreRejected;
import io.tideline.schemas.RestoreRequested;
import io.tideline.testkit.Fleet;
import io.tideline.testkit.FleetExtension;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Issue 14.3, encryption at rest: with every service running as the embedded runtime runs them, a
 * database holding a distinctive marker is backed up and archived by the archiver; the raw bucket, read
 * object by object with the S3 server's admin identity, holds the marker nowhere (and no object is even a
 * zstd frame, so it is not hiding compressed either), while a restore brings the marker back. A flipped
 * byte is refused; after the instance's keys are destroyed no restore is possible and the failure says why.
 */
@Tag("flow")
@ExtendWith(FleetExtension.class)
class EncryptionAtRestIT {

    private EventWatch events;

    @Test
    void aStolenBucketHoldsNoDataTheOwnerRestoresItAndAfterShreddingNoOneCan(Fleet fleet) throws Exception {
        String marker = "TIDELINE-SECRET-" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        String table = "customers_" + marker.substring(16).toLowerCase();
        Map<String, Object> props = new HashMap<>(fleet.serviceProperties());
        props.put("micronaut.server.host", "127.0.0.1");
        props.put("tideline.archiver.wal.flush-interval", "1s");
        props.put("tideline.restore.group-id", "enc-restore-" + UUID.randomUUID());
        props.put("tideline.archiver.group-id", "enc-archiver-" + UUID.randomUUID());
        props.put("tideline.retention.enabled", false);
        try (EmbeddedServer runtime = ApplicationContext.run(EmbeddedServer.class, props)) {
            events = EventWatch.start(fleet.kafka().bootstrapServers(), "enc-watcher", Topics.TIMELINE, Topics.RESTORE_EVENTS);
            InstanceId sourceId = fleet.postgres().newId("enc");
            fleet.onboarding().create(sourceId, sourceId.value(), InstanceOnboarding.Options.defaults());
            ProvisionedInstance pg = fleet.postgres().provisioner().get(sourceId);
            try (Connection db = fleet.postgres().connect(pg); Statement st = db.createStatement()) {
                st.execute("CREATE TABLE " + table + " (id int PRIMARY KEY, note text)");
                st.execute("ALTER TABLE " + table + " OWNER TO " + pg.ownerUser());
                st.execute("INSERT INTO " + table + " SELECT g, '" + marker + " in the backup' FROM generate_series(1, 2000) g");
            }

            // 1. The archiver takes a base backup and streams the WAL: every writer of the bucket at work.
            String command = "enc-" + UUID.randomUUID();
            fleet.publisher().publishAndWait(Topics.BACKUP_COMMANDS, sourceId.value(), BackupCommand.newBuilder()
                    .setEventId(UUID.randomUUID()).setInstanceId(sourceId.value()).setOccurredAt(Instant.now())
                    .setCommandId(command).setReason(BackupReason.ON_DEMAND).setRequestedBy("enc").setRequestedAt(Instant.now()).build());
            events.await(Topics.TIMELINE, v -> v instanceof BackupCompleted c && c.getCommandId().equals(command), Duration.ofMinutes(3));
            Lsn last;
            try (Connection db = fleet.postgres().connect(pg); Statement st = db.createStatement()) {
                st.execute("INSERT INTO " + table + " SELECT g, '" + marker + " only in the WAL' FROM generate_series(2001, 2300) g");
                last = Sql.currentLsn(st);
            }
            ObjectStore store = fleet.objectStores().forInstance(sourceId);
            BucketInventoryReader reader = new BucketInventoryReader(BucketLayout.DEFAULT);
            Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() ->
                    reader.read(store).inventory().wal().stream().anyMatch(w -> !w.endLsn().isBefore(last)));

            // 2. The bucket as a thief would have it: every object, straight from the S3 server.
            Map<String, byte[]> raw = dump(fleet.s3().adminClient(), store.bucket());
            assertTrue(raw.keySet().stream().anyMatch(k -> k.startsWith("basebackups/") && k.endsWith("manifest.json")), raw.keySet().toString());
            assertTrue(raw.keySet().stream().anyMatch(k -> k.contains(".part")), raw.keySet().toString());
            assertTrue(raw.keySet().stream().anyMatch(k -> k.startsWith("wal/") && k.endsWith(".partial.zst")), raw.keySet().toString());
            byte[] needle = marker.getBytes(StandardCharsets.UTF_8);
            byte[] tableName = table.getBytes(StandardCharsets.UTF_8);
            for (var object : raw.entrySet()) {
                byte[] bytes = object.getValue();
                assertFalse(contains(bytes, needle), object.getKey() + " holds the marker in plain text");
                assertFalse(contains(bytes, tableName), object.getKey() + " holds the table's name in plain text");
                assertFalse(isZstdFrame(bytes), object.getKey() + " is a zstd frame: compressed, not encrypted");
                assertTrue(bytes.length > 8 && (bytes[0] & 0xFF) == 0x89 && bytes[1] == 'T' && bytes[2] == 'L',
                        object.getKey() + " starts with the encryption header");
            }

            // 3. The owner restores it: the marker is back, from the backup and from the WAL.
            RestoreCompleted done = assertInstanceOf(RestoreCompleted.class, restoreLatest(fleet, sourceId));
            try (Connection copy = DriverManager.getConnection("jdbc:postgresql://" + done.getHost() + ":" + done.getPort() + "/"
                    + done.getDatabase(), done.getUser(), fleet.postgres().secrets().get(SecretRef.of(done.getSecretRef())));
                 Statement st = copy.createStatement()) {
                assertEquals(2300, Sql.count(st, "SELECT count(*) FROM " + table + " WHERE note LIKE '" + marker + "%'"));
                assertEquals(300, Sql.count(st, "SELECT count(*) FROM " + table + " WHERE note = '" + marker + " only in the WAL'"));
            }

            // 4. One flipped byte in a stored object: refused, not read.
            String walKey = raw.keySet().stream().filter(k -> k.startsWith("wal/") && k.endsWith(".zst") && !k.contains("partial"))
                    .findFirst().orElseThrow();
            byte[] flipped = raw.get(walKey).clone();
            flipped[flipped.length / 2] ^= 0x01;
            S3Client admin = fleet.s3().adminClient();
            var metadata = admin.headObject(b -> b.bucket(store.bucket()).key(walKey)).metadata();
            admin.putObject(b -> b.bucket(store.bucket()).key(walKey).metadata(metadata),
                    software.amazon.awssdk.core.sync.RequestBody.fromBytes(flipped));
            ChecksumMismatchException tampered = assertThrows(ObjectAuthenticationException.class, () -> store.getVerified(walKey));
            assertTrue(tampered.getMessage().contains(walKey), tampered.getMessage());

            // 5. Crypto-shredding: once the keys are destroyed, nothing of the instance can be restored, and the failure says why.
            KeyService keys = runtime.getApplicationContext().getBean(KeyService.class);
            keys.destroy(sourceId);
            Instant destroyedAt = keys.destroyedAt(sourceId).orElseThrow();
            SpecificRecord refused = restoreLatest(fleet, sourceId);
            assertFalse(refused instanceof RestoreCompleted, "a restore after shredding completed: " + refused);
            String reason = refused instanceof RestoreFailed f ? f.getReason() : ((RestoreRejected) refused).getReason();
            assertTrue(reason.contains("the keys of instance " + sourceId + " were destroyed (crypto-shredded) at " + destroyedAt), reason);
        } finally {
            if (events != null) {
                events.close();
            }
        }
    }

    private SpecificRecord restoreLatest(Fleet fleet, InstanceId source) {
        String restoreId = UUID.randomUUID().toString();
        fleet.publisher().publishAndWait(Topics.RESTORE_REQUESTS, source.value(), RestoreRequested.newBuilder()
                .setEventId(UUID.randomUUID()).setInstanceId(source.value()).setOccurredAt(Instant.now())
                .setRestoreId(restoreId).setTarget("latest").setNewName(null).setRequestedBy("enc").build());
        return events.await(Topics.RESTORE_EVENTS, v -> restoreId.equals(EventWatch.restoreIdOf(v))
                && (v instanceof RestoreCompleted || v instanceof RestoreFailed || v instanceof RestoreRejected), Duration.ofMinutes(3));
    }

    private static Map<String, byte[]> dump(S3Client admin, String bucket) {
        Map<String, byte[]> objects = new LinkedHashMap<>();
        for (var page : admin.listObjectsV2Paginator(b -> b.bucket(bucket))) {
            for (S3Object o : page.contents()) {
                objects.put(o.key(), admin.getObjectAsBytes(b -> b.bucket(bucket).key(o.key())).asByteArray());
            }
        }
        return objects;
    }

    /** True when the bytes decompress as zstd: a compressed object would hide the marker from a plain search. */
    private static boolean isZstdFrame(byte[] bytes) {
        try (ZstdInputStream in = new ZstdInputStream(new ByteArrayInputStream(bytes))) {
            in.transferTo(OutputStream.nullOutputStream());
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

}
