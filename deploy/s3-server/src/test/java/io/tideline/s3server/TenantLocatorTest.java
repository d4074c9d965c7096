package io.tideline.s3server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.gaul.s3proxy.AccessGrant;
import org.gaul.s3proxy.S3ProxyException;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.model.Bucket;

class TenantLocatorTest {

    @TempDir
    Path dir;

    private BlobStore store;
    private TenantLocator locator;

    @BeforeEach
    void setUp() throws Exception {
        Path identities = Files.createDirectories(dir.resolve("identities"));
        store = new FilesystemNio2BlobStore(Files.createDirectories(dir.resolve("data")).toString());
        store.createContainer("tideline-a");
        store.createContainer("tideline-b");
        Files.writeString(identities.resolve("tenant-a.properties"), "secretKey=secret-a\nbucket=tideline-a\n");
        locator = new TenantLocator("admin", "admin-secret", store, new IdentityDirectory(identities));
    }

    @Test
    void theAdminReachesEverythingWithTheUnwrappedStore() {
        AccessGrant grant = locator.locateBlobStore("admin", "tideline-b", "k");
        assertEquals("admin-secret", grant.credential().orElseThrow());
        assertSame(store, grant.blobStore());
    }

    @Test
    void aTenantReachesOnlyItsBucket() {
        AccessGrant own = locator.locateBlobStore("tenant-a", "tideline-a", "wal/1/x");
        assertEquals("secret-a", own.credential().orElseThrow());
        assertNull(locator.locateBlobStore("tenant-a", "tideline-b", null));
        assertNull(locator.locateBlobStore("tenant-a", "tideline-new", null));
    }

    @Test
    void unknownAndAnonymousCallersGetNothing() {
        assertNull(locator.locateBlobStore("nobody", "tideline-a", null));
        assertNull(locator.locateBlobStore(null, "tideline-a", null));
        assertNull(locator.locateBlobStore(null, "", null));
    }

    @Test
    void listBucketsShowsATenantItsOwnBucketOnly() {
        AccessGrant grant = locator.locateBlobStore("tenant-a", "", null);
        assertNotNull(grant);
        List<String> names = grant.blobStore().list().buckets().stream().map(Bucket::name).toList();
        assertEquals(List.of("tideline-a"), names);
    }

    @Test
    void aTenantCannotChangeItsBucket() {
        BlobStore tenant = locator.locateBlobStore("tenant-a", "tideline-a", null).blobStore();
        assertThrows(S3ProxyException.class, () -> tenant.createContainer("tideline-a"));
        assertThrows(S3ProxyException.class, () -> tenant.deleteBucket("tideline-a"));
        assertEquals(2, store.list().buckets().size());
    }
}
