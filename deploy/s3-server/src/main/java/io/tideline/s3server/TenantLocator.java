package io.tideline.s3server;

import java.time.Clock;
import java.util.Optional;
import org.gaul.s3proxy.AccessGrant;
import org.gaul.s3proxy.BlobStoreLocator;
import org.gaul.s3proxy.blobstore.BlobStore;

/**
 * Decides, for every request, which credential signs it and what it may reach. S3Proxy calls
 * it with the request's access key and the bucket and key of its path (empty bucket for
 * ListBuckets); no grant makes S3Proxy answer 403 ({@code InvalidAccessKeyId}).
 *
 * <ul>
 *   <li>the admin identity reaches every bucket and may create and delete buckets;</li>
 *   <li>any other identity is looked up in the {@link IdentityDirectory} and reaches only its own
 *       bucket, through a {@link TenantBlobStore} that refuses bucket-level changes; ListBuckets
 *       shows it its own bucket only; a read-only identity (minted for one restore) may only read
 *       ({@link ReadOnlyBlobStore}), and an expired one is unknown;</li>
 *   <li>anonymous requests get nothing.</li>
 * </ul>
 */
public final class TenantLocator implements BlobStoreLocator {

    private final String adminAccessKey;
    private final String adminSecretKey;
    private final BlobStore store;
    private final IdentityDirectory identities;
    private final Clock clock;

    public TenantLocator(String adminAccessKey, String adminSecretKey, BlobStore store, IdentityDirectory identities) {
        this(adminAccessKey, adminSecretKey, store, identities, Clock.systemUTC());
    }

    public TenantLocator(String adminAccessKey, String adminSecretKey, BlobStore store, IdentityDirectory identities, Clock clock) {
        this.clock = clock;
        this.adminAccessKey = adminAccessKey;
        this.adminSecretKey = adminSecretKey;
        this.store = store;
        this.identities = identities;
    }

    @Override
    public AccessGrant locateBlobStore(String identity, String container, String blob) {
        if (identity == null) {
            return null;
        }
        if (identity.equals(adminAccessKey)) {
            return new AccessGrant(adminSecretKey, store);
        }
        Optional<Identity> tenant = identities.find(identity);
        if (tenant.isEmpty() || tenant.get().expiredAt(clock.instant())) {
            return null;
        }
        boolean listBuckets = container == null || container.isEmpty();
        if (!listBuckets && !container.equals(tenant.get().bucket())) {
            return null;
        }
        BlobStore own = new TenantBlobStore(store, tenant.get().bucket());
        return new AccessGrant(tenant.get().secretKey(), tenant.get().readOnly() ? new ReadOnlyBlobStore(own) : own);
    }
}
