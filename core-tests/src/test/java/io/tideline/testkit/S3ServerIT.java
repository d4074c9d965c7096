package io.tideline.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tideline.processes.FreePort;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.function.Executable;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.Bucket;
import software.amazon.awssdk.services.s3.model.S3Exception;

@ExtendWith(S3Extension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class S3ServerIT {

    private final S3Server s3;

    S3ServerIT(S3Server s3) {
        this.s3 = s3;
    }

    @Test
    @Order(1)
    void adminCreatesABucketAndStoresAnObject() {
        String bucket = uniqueBucket();
        s3.adminClient().createBucket(b -> b.bucket(bucket));
        s3.adminClient().putObject(b -> b.bucket(bucket).key("wal/1/x"), RequestBody.fromString("bytes"));

        assertEquals("bytes", s3.adminClient().getObjectAsBytes(b -> b.bucket(bucket).key("wal/1/x")).asUtf8String());
        assertTrue(s3.adminClient().listBuckets().buckets().stream().anyMatch(b -> b.name().equals(bucket)));
        assertEquals("us-east-1", s3.region());
        assertTrue(s3.endpoint().toString().startsWith("http://127.0.0.1:"));
    }

    @Test
    @Order(2)
    void anIdentityWrittenAtRuntimeReachesItsOwnBucketOnly() {
        String own = uniqueBucket();
        String other = uniqueBucket();
        s3.adminClient().createBucket(b -> b.bucket(own));
        s3.adminClient().createBucket(b -> b.bucket(other));
        s3.adminClient().putObject(b -> b.bucket(other).key("secret"), RequestBody.fromString("not yours"));
        String accessKey = "tenant-" + UUID.randomUUID().toString().substring(0, 8);
        String secretKey = UUID.randomUUID().toString();

        s3.writeIdentity(accessKey, secretKey, own);

        try (S3Client tenant = s3.client(accessKey, secretKey)) {
            tenant.putObject(b -> b.bucket(own).key("basebackups/b1/manifest.json"), RequestBody.fromString("{}"));
            assertEquals("{}", tenant.getObjectAsBytes(b -> b.bucket(own).key("basebackups/b1/manifest.json")).asUtf8String());
            assertEquals(1, tenant.listObjectsV2(b -> b.bucket(own)).contents().size());

            assertForbidden(() -> tenant.getObjectAsBytes(b -> b.bucket(other).key("secret")));
            assertForbidden(() -> tenant.putObject(b -> b.bucket(other).key("x"), RequestBody.fromString("x")));
            assertForbidden(() -> tenant.listObjectsV2(b -> b.bucket(other)));
            assertForbidden(() -> tenant.deleteObject(b -> b.bucket(other).key("secret")));
            assertForbidden(() -> tenant.createBucket(b -> b.bucket(uniqueBucket())));
            assertForbidden(() -> tenant.deleteBucket(b -> b.bucket(own)));

            List<String> visible = tenant.listBuckets().buckets().stream().map(Bucket::name).toList();
            assertEquals(List.of(own), visible);
        }
        assertEquals("not yours", s3.adminClient().getObjectAsBytes(b -> b.bucket(other).key("secret")).asUtf8String());
    }

    @Test
    @Order(3)
    void aWrongSecretOrARemovedIdentityIsRefused() throws Exception {
        String bucket = uniqueBucket();
        s3.adminClient().createBucket(b -> b.bucket(bucket));
        String accessKey = "tenant-" + UUID.randomUUID().toString().substring(0, 8);
        s3.writeIdentity(accessKey, "right-secret", bucket);
        try (S3Client wrong = s3.client(accessKey, "wrong-secret")) {
            assertForbidden(() -> wrong.listObjectsV2(b -> b.bucket(bucket)));
        }
        try (S3Client tenant = s3.client(accessKey, "right-secret")) {
            tenant.listObjectsV2(b -> b.bucket(bucket));
            java.nio.file.Files.delete(s3.identitiesDir().resolve(accessKey + ".properties"));
            assertForbidden(() -> tenant.listObjectsV2(b -> b.bucket(bucket)));
        }
    }

    @Test
    @Order(4)
    void stopAndStartKeepData() {
        String bucket = uniqueBucket();
        s3.adminClient().createBucket(b -> b.bucket(bucket));
        s3.adminClient().putObject(b -> b.bucket(bucket).key("k"), RequestBody.fromString("kept"));
        var endpoint = s3.endpoint();

        s3.stop();
        assertFalse(s3.isRunning());
        assertFalse(FreePort.isListening(endpoint.getPort()));
        assertThrows(SdkClientException.class, () -> s3.adminClient().headBucket(b -> b.bucket(bucket)));

        s3.start();
        assertEquals(endpoint, s3.endpoint());
        assertEquals("kept", s3.adminClient().getObjectAsBytes(b -> b.bucket(bucket).key("k")).asUtf8String());
    }

    @Test
    @Order(5)
    void aTestMayLeaveTheServerStopped() {
        s3.stop();
        assertFalse(s3.isRunning());
    }

    @Test
    @Order(6)
    void theExtensionRestartedItForTheNextTest() {
        assertTrue(s3.isRunning());
        s3.adminClient().listBuckets();
    }

    private static void assertForbidden(Executable call) {
        S3Exception e = assertThrows(S3Exception.class, call);
        assertEquals(403, e.statusCode(), () -> "expected 403, got " + e.statusCode() + ": " + e.getMessage());
    }

    private static String uniqueBucket() {
        return "tideline-it-" + UUID.randomUUID().toString().substring(0, 13);
    }
}
