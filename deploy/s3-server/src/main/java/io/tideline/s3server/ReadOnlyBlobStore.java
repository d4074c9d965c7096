package io.tideline.s3server;

import java.io.InputStream;
import org.gaul.s3proxy.S3ErrorCode;
import org.gaul.s3proxy.S3ProxyException;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.blobstore.ForwardingBlobStore;
import org.gaul.s3proxy.blobstore.domain.MultipartUpload;
import software.amazon.awssdk.services.s3.model.BucketCannedACL;
import software.amazon.awssdk.services.s3.model.BucketVersioningStatus;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.CopyObjectRequest;
import software.amazon.awssdk.services.s3.model.CopyObjectResponse;
import software.amazon.awssdk.services.s3.model.CreateBucketRequest;
import software.amazon.awssdk.services.s3.model.CreateBucketResponse;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.DeleteBucketEncryptionRequest;
import software.amazon.awssdk.services.s3.model.DeleteBucketEncryptionResponse;
import software.amazon.awssdk.services.s3.model.DeleteObjectRequest;
import software.amazon.awssdk.services.s3.model.DeleteObjectResponse;
import software.amazon.awssdk.services.s3.model.DeleteObjectsRequest;
import software.amazon.awssdk.services.s3.model.DeleteObjectsResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ObjectCannedACL;
import software.amazon.awssdk.services.s3.model.PutBucketEncryptionRequest;
import software.amazon.awssdk.services.s3.model.PutBucketEncryptionResponse;
import software.amazon.awssdk.services.s3.model.PutBucketVersioningRequest;
import software.amazon.awssdk.services.s3.model.PutBucketVersioningResponse;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.s3.model.ServerSideEncryptionConfiguration;
import software.amazon.awssdk.services.s3.model.UploadPartCopyRequest;
import software.amazon.awssdk.services.s3.model.UploadPartCopyResponse;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

/**
 * What a read-only identity (minted for one restore, to read its source's bucket) may do: GET, HEAD and
 * LIST. Every operation of S3Proxy's {@link BlobStore} that writes — objects, multipart uploads, copies,
 * deletes, ACLs, bucket settings — answers 403 AccessDenied, so a restore agent holding it can never
 * change the source's backups.
 */
final class ReadOnlyBlobStore extends ForwardingBlobStore {

    ReadOnlyBlobStore(BlobStore delegate) {
        super(delegate);
    }

    @Override
    public PutObjectResponse putBlob(PutObjectRequest request, InputStream content) {
        throw denied();
    }

    @Override
    public CopyObjectResponse copyBlob(CopyObjectRequest request) {
        throw denied();
    }

    @Override
    public DeleteObjectResponse removeBlob(DeleteObjectRequest request) {
        throw denied();
    }

    @Override
    public void removeBlob(String container, String name) {
        throw denied();
    }

    @Override
    public DeleteObjectResponse removeBlob(String container, String name, String versionId) {
        throw denied();
    }

    @Override
    public DeleteObjectsResponse removeBlobs(DeleteObjectsRequest request) {
        throw denied();
    }

    @Override
    public void clearContainer(ListObjectsV2Request request) {
        throw denied();
    }

    @Override
    public MultipartUpload initiateMultipartUpload(CreateMultipartUploadRequest request) {
        throw denied();
    }

    @Override
    public void abortMultipartUpload(MultipartUpload upload) {
        throw denied();
    }

    @Override
    public CompleteMultipartUploadResponse completeMultipartUpload(MultipartUpload upload, CompleteMultipartUploadRequest request) {
        throw denied();
    }

    @Override
    public UploadPartResponse uploadMultipartPart(MultipartUpload upload, UploadPartRequest request, InputStream content) {
        throw denied();
    }

    @Override
    public UploadPartCopyResponse copyMultipartPart(MultipartUpload upload, UploadPartCopyRequest request) {
        throw denied();
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

    @Override
    public PutBucketVersioningResponse putBucketVersioning(PutBucketVersioningRequest request) {
        throw denied();
    }

    @Override
    public void putBucketVersioning(String container, BucketVersioningStatus status) {
        throw denied();
    }

    @Override
    public PutBucketEncryptionResponse putBucketEncryption(PutBucketEncryptionRequest request) {
        throw denied();
    }

    @Override
    public void putBucketEncryption(String container, ServerSideEncryptionConfiguration configuration) {
        throw denied();
    }

    @Override
    public DeleteBucketEncryptionResponse deleteBucketEncryption(DeleteBucketEncryptionRequest request) {
        throw denied();
    }

    @Override
    public void deleteBucketEncryption(String container) {
        throw denied();
    }

    private static S3ProxyException denied() {
        return new S3ProxyException(S3ErrorCode.ACCESS_DENIED, "this identity may only read its bucket");
    }
}
