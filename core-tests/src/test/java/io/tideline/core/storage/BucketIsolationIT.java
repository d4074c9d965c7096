package io.tideline.core.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tideline.core.ids.InstanceId;
import io.tideline.testkit.S3Extension;
import io.tideline.testkit.S3Server;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.Bucket;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * One bucket per instance, with credentials that reach that bucket only, enforced by the real S3
 * server: instance A's keys get 403 on B's bucket for reads, writes and listings, and cannot create
 * buckets; and the other way round.
 */
@ExtendWith(S3Extension.class)
class BucketIsolationIT {

    private StorageTestBed bed;
    private ObjectStores stores;
    private InstanceId a;
    private InstanceId b;

    @BeforeEach
    void provisionTwoInstances(S3Server server, @TempDir Path secretsDir) {
        bed = new StorageTestBed(server, secretsDir, StorageTestBed.settingsFor(server));
        stores = new ObjectStores(bed.settings, bed.secrets, Clock.systemUTC());
        a = bed.provisionNew("iso-a");
        b = bed.provisionNew("iso-b");
    }

    @AfterEach
    void cleanUp() {
        stores.close();
        bed.close();
    }

    @Test
    void eachInstanceReachesItsOwnBucketOnly() {
        assertConfined(a, b);
        assertConfined(b, a);
    }

    private void assertConfined(InstanceId owner, InstanceId other) {
        String ownBucket = BucketLayout.bucketName(owner);
        String otherBucket = BucketLayout.bucketName(other);
        byte[] otherData = ("data of " + other).getBytes(StandardCharsets.UTF_8);
        stores.forInstance(other).put("wal/x", otherData, Map.of());

        // Its own bucket: everything works.
        ObjectStore own = stores.forInstance(owner);
        assertEquals(ownBucket, own.bucket());
        byte[] ownData = ("data of " + owner).getBytes(StandardCharsets.UTF_8);
        own.put("wal/x", ownData, Map.of());
        assertArrayEquals(ownData, own.getVerified("wal/x"));
        assertEquals(1, own.list("wal/").size());

        // The other bucket, with the owner's credentials: 403 for read, write, list and delete.
        try (S3Client ownersClient = S3Clients.create(bed.settings, bed.accessKey(owner), bed.secretKey(owner))) {
            S3ObjectStore intruder = new S3ObjectStore(ownersClient, otherBucket, bed.settings, Clock.systemUTC());
            for (Executable attempt : List.<Executable>of(
                    () -> intruder.get("wal/x"),
                    () -> intruder.head("wal/x"),
                    () -> intruder.put("wal/x", "overwritten".getBytes(StandardCharsets.UTF_8), Map.of()),
                    () -> intruder.list(""),
                    () -> intruder.delete("wal/x"),
                    () -> intruder.deleteAll(List.of("wal/x")))) {
                StorageAccessDeniedException denied = assertThrows(StorageAccessDeniedException.class, attempt);
                assertFalse(denied.isRetriable());
                assertTrue(denied.getMessage().contains(otherBucket), denied.getMessage());
            }

            // Nor may it make buckets of its own.
            String newBucket = "tideline-grab-" + owner.value();
            S3Exception createDenied = assertThrows(S3Exception.class, () -> ownersClient.createBucket(r -> r.bucket(newBucket)));
            assertEquals(403, createDenied.statusCode());
            assertThrows(S3Exception.class, () -> bed.server.adminClient().headBucket(r -> r.bucket(newBucket)),
                    "the bucket was not created");

            // Listing buckets shows it its own bucket alone.
            assertEquals(List.of(ownBucket), ownersClient.listBuckets().buckets().stream().map(Bucket::name).toList());
        }
        // The other instance's object is untouched.
        assertArrayEquals(otherData, stores.forInstance(other).getVerified("wal/x"));
    }

    @Test
    void provisioningIsIdempotentAndWritesAPrivateIdentityFile() throws Exception {
        String accessKey = bed.accessKey(a);
        String secretKey = bed.secretKey(a);
        stores.forInstance(a).put("kept", new byte[] {1, 2, 3}, Map.of());

        BucketGrant again = bed.provisioner.provision(a);

        assertEquals(BucketGrant.of(a), again);
        assertEquals(accessKey, bed.accessKey(a), "existing credentials are kept");
        assertEquals(secretKey, bed.secretKey(a));
        assertArrayEquals(new byte[] {1, 2, 3}, stores.forInstance(a).getVerified("kept"), "the bucket's content is kept");
        Path identity = bed.provisioner.identityFile(accessKey);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(identity)));
        Properties properties = new Properties();
        try (var in = Files.newBufferedReader(identity)) {
            properties.load(in);
        }
        assertEquals(secretKey, properties.getProperty("secretKey"));
        assertEquals(BucketLayout.bucketName(a), properties.getProperty("bucket"));
        assertFalse(accessKey.equals(bed.accessKey(b)), "each instance has its own identity");
    }

    @Test
    void deprovisioningRemovesContentBucketAndCredentials() {
        String accessKey = bed.accessKey(a);
        String secretKey = bed.secretKey(a);
        ObjectStore store = stores.forInstance(a);
        for (int i = 0; i < 3; i++) {
            store.put("wal/" + i, new byte[] {(byte) i}, Map.of());
        }

        bed.provisioner.deprovision(a);
        stores.evict(a);

        assertThrows(S3Exception.class, () -> bed.server.adminClient().headBucket(r -> r.bucket(BucketLayout.bucketName(a))));
        assertFalse(Files.exists(bed.provisioner.identityFile(accessKey)));
        assertTrue(bed.secrets.find(StorageSecrets.accessKey(a)).isEmpty());
        assertTrue(bed.secrets.find(StorageSecrets.secretKey(a)).isEmpty());
        try (S3Client revoked = S3Clients.create(bed.settings, accessKey, secretKey)) {
            S3ObjectStore stale = new S3ObjectStore(revoked, BucketLayout.bucketName(a), bed.settings, Clock.systemUTC());
            assertThrows(StorageAccessDeniedException.class, () -> stale.put("wal/9", new byte[1], Map.of()));
        }
        IllegalStateException notProvisioned = assertThrows(IllegalStateException.class, () -> stores.forInstance(a));
        assertTrue(notProvisioned.getMessage().contains(StorageSecrets.accessKey(a).value()), notProvisioned.getMessage());
        bed.provisioner.deprovision(a);
    }
}
