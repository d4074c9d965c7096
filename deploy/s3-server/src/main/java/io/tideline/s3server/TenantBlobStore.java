package io.tideline.s3server;

import java.util.List;
import org.gaul.s3proxy.S3ErrorCode;
import org.gaul.s3proxy.S3ProxyException;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.blobstore.ForwardingBlobStore;
import software.amazon.awssdk.services.s3.model.Bucket;
import software.amazon.awssdk.services.s3.model.BucketCannedACL;
import software.amazon.awssdk.services.s3.model.CreateBucketRequest;
import software.amazon.awssdk.services.s3.model.CreateBucketResponse;
import software.amazon.awssdk.services.s3.model.ListBucketsRequest;
import software.amazon.awssdk.services.s3.model.ListBucketsResponse;
import software.amazon.awssdk.services.s3.model.ObjectCannedACL;

/**
 * What one tenant identity sees of the store: object operations on its bucket (the
 * {@link TenantLocator} already refused every other bucket), its own bucket alone in ListBuckets,
 * and no bucket-level changes (create, delete, ACLs), which are the provisioner's (admin's) job.
 */
final class TenantBlobStore extends ForwardingBlobStore {

    private final String bucket;

    TenantBlobStore(BlobStore delegate, String bucket) {
        super(delegate);
        this.bucket = bucket;
    }

    @Override
    public ListBucketsResponse list() {
        return ownBucketOnly(super.list());
    }

    @Override
    public ListBucketsResponse list(ListBucketsRequest request) {
        return ownBucketOnly(delegate().list(request));
    }

    private ListBucketsResponse ownBucketOnly(ListBucketsResponse all) {
        List<Bucket> own = all.buckets().stream().filter(b -> bucket.equals(b.name())).toList();
        return all.toBuilder().buckets(own).continuationToken(null).build();
    }

    @Override
    public CreateBucketResponse createContainer(CreateBucketRequest request) {
        throw denied();
    }

    @Override
    public void deleteContainer(String container) {
        throw denied();
    }

    @Override
    public void deleteBucket(String container) {
        throw denied();
    }

    @Override
    public void setContainerAccess(String container, BucketCannedACL access) {
        throw denied();
    }

    @Override
    public void setBlobAccess(String container, String name, ObjectCannedACL access) {
        throw denied();
    }

    @Override
    public void setBlobAccess(String container, String name, ObjectCannedACL access, String versionId) {
        throw denied();
    }

    private static S3ProxyException denied() {
        return new S3ProxyException(S3ErrorCode.ACCESS_DENIED, "bucket-level changes need the admin identity");
    }
}
