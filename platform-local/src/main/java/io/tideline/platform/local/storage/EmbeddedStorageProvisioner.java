package io.tideline.platform.local.storage;

import io.tideline.core.ids.InstanceId;
import io.tideline.core.ids.RestoreId;
import io.tideline.core.secrets.SecretStore;
import io.tideline.core.storage.BucketGrant;
import io.tideline.core.storage.ObjectStoreSettings;
import io.tideline.core.storage.ReadOnlyGrant;
import io.tideline.core.storage.S3ObjectStore;
import io.tideline.core.storage.StorageException;
import io.tideline.core.storage.StorageProvisioner;
import io.tideline.core.storage.StorageSecrets;
import io.tideline.core.storage.StoredObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The embedded runtime's provisioner. With the ADMIN identity it creates the bucket; then it mints a
 * random access key and secret, keeps them in the secret store, and writes the identity file
 * {@code <identities>/<access-key>.properties} ({@code secretKey=}, {@code bucket=}, mode 0600) that
 * the embedded S3 server reads at request time, so the new identity works at once and reaches that
 * one bucket only (the server enforces it; see docs/architecture.md).
 */
public final class EmbeddedStorageProvisioner implements StorageProvisioner {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedStorageProvisioner.class);
    /** AWS-like shapes: 20-character access key ids, 40-character secrets. */
    private static final String ACCESS_KEY_PREFIX = "TL";
    private static final int ACCESS_KEY_RANDOM_CHARS = 18;
    private static final char[] ACCESS_KEY_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".toCharArray();
    private static final int SECRET_KEY_CHARS = 40;
    private static final char[] SECRET_KEY_ALPHABET =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

    private static final int DELETE_BUCKET_ATTEMPTS = 5;

    private final S3Client admin;
    private final Path identitiesDir;
    private final SecretStore secrets;
    private final ObjectStoreSettings settings;
    private final Clock clock;
    private final SecureRandom random;

    public EmbeddedStorageProvisioner(S3Client admin, Path identitiesDir, SecretStore secrets,
                                      ObjectStoreSettings settings, Clock clock, SecureRandom random) {
        this.admin = Objects.requireNonNull(admin, "admin");
        this.identitiesDir = identitiesDir.toAbsolutePath();
        this.secrets = Objects.requireNonNull(secrets, "secrets");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.random = Objects.requireNonNull(random, "random");
    }

    /** The identity file the embedded S3 server reads for {@code accessKey}. */
    public Path identityFile(String accessKey) {
        return identitiesDir.resolve(accessKey + ".properties");
    }

    @Override
    public BucketGrant provision(InstanceId instance) {
        BucketGrant grant = BucketGrant.of(instance);
        ensureBucket(grant.bucket());
        Optional<String> accessKey = secrets.find(grant.accessKeyRef());
        Optional<String> secretKey = secrets.find(grant.secretKeyRef());
        if (accessKey.isEmpty() || secretKey.isEmpty()) {
            // A half-made pair (crash between the two writes) is replaced whole; its identity file goes too.
            accessKey.ifPresent(this::deleteIdentityFile);
            accessKey = Optional.of(ACCESS_KEY_PREFIX + randomString(ACCESS_KEY_ALPHABET, ACCESS_KEY_RANDOM_CHARS));
            secretKey = Optional.of(randomString(SECRET_KEY_ALPHABET, SECRET_KEY_CHARS));
            secrets.put(grant.secretKeyRef(), secretKey.get());
            secrets.put(grant.accessKeyRef(), accessKey.get());
            LOG.info("minted storage credentials {} for instance {} (bucket {})", accessKey.get(), instance, grant.bucket());
        }
        writeIdentityFile(accessKey.get(), "# S3 identity of Tideline instance " + instance.value() + ": reaches bucket "
                + grant.bucket() + " only\n" + "secretKey=" + secretKey.get() + "\n" + "bucket=" + grant.bucket() + "\n");
        return grant;
    }

    /** Asks the S3 server whether a bucket that nobody makes exists (it does not), and draws a key: nothing is created. */
    @Override
    public void warmUp() {
        try {
            bucketExists("tideline-warm-up-" + randomString(ACCESS_KEY_ALPHABET, ACCESS_KEY_RANDOM_CHARS).toLowerCase(java.util.Locale.ROOT));
        } catch (RuntimeException e) {
            LOG.debug("storage provisioner warm-up failed: {}", e.toString());
        }
    }

    /**
     * A fresh key pair for the restore (kept in the secret store), and its identity file with
     * {@code access=read-only} and {@code expires=}: the S3 server lets it GET, HEAD and LIST the source's bucket
     * only, and not after {@code expiresAt}. Called again for the same restore, it keeps the pair it minted.
     */
    @Override
    public ReadOnlyGrant grantReadOnly(InstanceId source, RestoreId restore, Instant expiresAt) {
        ReadOnlyGrant grant = ReadOnlyGrant.of(source, restore, expiresAt);
        Optional<String> accessKey = secrets.find(grant.accessKeyRef());
        Optional<String> secretKey = secrets.find(grant.secretKeyRef());
        if (accessKey.isEmpty() || secretKey.isEmpty()) {
            accessKey.ifPresent(this::deleteIdentityFile);
            accessKey = Optional.of(ACCESS_KEY_PREFIX + randomString(ACCESS_KEY_ALPHABET, ACCESS_KEY_RANDOM_CHARS));
            secretKey = Optional.of(randomString(SECRET_KEY_ALPHABET, SECRET_KEY_CHARS));
            secrets.put(grant.secretKeyRef(), secretKey.get());
            secrets.put(grant.accessKeyRef(), accessKey.get());
        }
        writeIdentityFile(accessKey.get(), "# read-only S3 identity of restore " + restore.value() + ": reads bucket "
                + grant.bucket() + " only\n" + "secretKey=" + secretKey.get() + "\n" + "bucket=" + grant.bucket() + "\n"
                + "access=read-only\n" + "expires=" + expiresAt + "\n");
        LOG.info("minted read-only storage credentials {} for restore {} (bucket {}, until {})", accessKey.get(), restore,
                grant.bucket(), expiresAt);
        return grant;
    }

    @Override
    public void revokeReadOnly(RestoreId restore) {
        // The identity file first: once it is gone the S3 server refuses the key, whoever still holds it.
        secrets.find(StorageSecrets.readAccessKey(restore)).ifPresent(this::deleteIdentityFile);
        secrets.delete(StorageSecrets.readAccessKey(restore));
        secrets.delete(StorageSecrets.readSecretKey(restore));
    }

    @Override
    public void deprovision(InstanceId instance) {
        BucketGrant grant = BucketGrant.of(instance);
        // Revoke first: once the identity is gone nobody can write into the bucket while it is emptied.
        secrets.find(grant.accessKeyRef()).ifPresent(this::deleteIdentityFile);
        if (bucketExists(grant.bucket())) {
            emptyAndDeleteBucket(grant.bucket());
        }
        secrets.delete(grant.accessKeyRef());
        secrets.delete(grant.secretKeyRef());
        LOG.info("removed storage of instance {} (bucket {})", instance, grant.bucket());
    }

    /**
     * Empties and deletes the bucket. A request another writer had already sent before its identity was
     * revoked can still land between the emptying and the delete (a 409 BucketNotEmpty), so the cycle is
     * repeated a few times before giving up. It cannot mend a part stored after its upload was aborted:
     * that orphan is listed nowhere, which is why core's {@code S3MultipartUpload.abort()} waits for its parts.
     */
    private void emptyAndDeleteBucket(String bucket) {
        S3ObjectStore store = new S3ObjectStore(admin, bucket, settings, clock);
        for (int attempt = 1; ; attempt++) {
            abortIncompleteUploads(bucket);
            store.deleteAll(store.list("").stream().map(StoredObject::key).toList());
            try {
                admin.deleteBucket(b -> b.bucket(bucket));
                return;
            } catch (AwsServiceException e) {
                if (e.statusCode() == 404) {
                    return;
                }
                if (e.statusCode() != 409 || attempt >= DELETE_BUCKET_ATTEMPTS) {
                    throw store.translate("delete bucket", null, e);
                }
            } catch (SdkException e) {
                throw store.translate("delete bucket", null, e);
            }
            try {
                Thread.sleep(200L * attempt);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StorageException("interrupted while deleting bucket " + bucket, bucket, null, true, e);
            }
        }
    }

    private void ensureBucket(String bucket) {
        if (bucketExists(bucket)) {
            return;
        }
        try {
            admin.createBucket(b -> b.bucket(bucket));
        } catch (AwsServiceException e) {
            // Created meanwhile by a concurrent provision of the same instance: that is the goal reached.
            String code = e.awsErrorDetails() == null ? "" : e.awsErrorDetails().errorCode();
            if (!"BucketAlreadyOwnedByYou".equals(code)) {
                throw adminFailure("create bucket", bucket, e);
            }
        } catch (SdkException e) {
            throw adminFailure("create bucket", bucket, e);
        }
    }

    private boolean bucketExists(String bucket) {
        try {
            admin.headBucket(b -> b.bucket(bucket));
            return true;
        } catch (AwsServiceException e) {
            if (e.statusCode() == 404) {
                return false;
            }
            throw adminFailure("inspect bucket", bucket, e);
        } catch (SdkException e) {
            throw adminFailure("inspect bucket", bucket, e);
        }
    }

    private void abortIncompleteUploads(String bucket) {
        try {
            admin.listMultipartUploadsPaginator(b -> b.bucket(bucket)).uploads().forEach(upload ->
                    admin.abortMultipartUpload(b -> b.bucket(bucket).key(upload.key()).uploadId(upload.uploadId())));
        } catch (SdkException e) {
            // Leftover parts are invisible and the store drops them with the bucket (or by lifecycle rule).
            LOG.warn("could not abort incomplete uploads in bucket {}: {}", bucket, e.getMessage());
        }
    }

    private StorageException adminFailure(String operation, String bucket, SdkException e) {
        return new S3ObjectStore(admin, bucket, settings, clock).translate(operation, null, e);
    }

    private void writeIdentityFile(String accessKey, String content) {
        Path file = identityFile(accessKey);
        try {
            if (Files.isRegularFile(file) && Files.readString(file, StandardCharsets.UTF_8).equals(content)) {
                return;
            }
            Files.createDirectories(identitiesDir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Path tmp = Files.createTempFile(identitiesDir, ".tmp-", ".identity",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try {
                Files.writeString(tmp, content, StandardCharsets.UTF_8);
                // The server must never read a half-written identity: rename into place.
                try {
                    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write S3 identity file " + file, e);
        }
    }

    private void deleteIdentityFile(String accessKey) {
        try {
            Files.deleteIfExists(identityFile(accessKey));
        } catch (NoSuchFileException e) {
            // already gone
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove S3 identity file " + identityFile(accessKey), e);
        }
    }

    private String randomString(char[] alphabet, int length) {
        char[] chars = new char[length];
        for (int i = 0; i < length; i++) {
            chars[i] = alphabet[random.nextInt(alphabet.length)];
        }
        return new String(chars);
    }
}
