package io.tideline.core.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tideline.core.ids.InstanceId;
import io.tideline.testkit.S3Extension;
import io.tideline.testkit.S3Server;
import io.tideline.testkit.storage.ObjectStoreContract;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;

/**
 * The {@link ObjectStore} contract for {@link S3ObjectStore} against the real S3 server, through an
 * instance's own bucket-scoped credentials as the services use them; plus what only S3 has: parts
 * really go in parallel and bounded, and a failing part aborts the upload.
 */
@ExtendWith(S3Extension.class)
class S3ObjectStoreIT extends ObjectStoreContract {

    @TempDir
    static Path secretsDir;

    private static StorageTestBed bed;
    private static S3Client client;
    private static S3ObjectStore store;
    private static ObjectStoreSettings settings;
    private static final PartWatcher PARTS = new PartWatcher();

    @BeforeAll
    static void provisionAnInstance(S3Server server) {
        settings = StorageTestBed.settingsFor(server)
                .withParts(PART_SIZE, MAX_IN_FLIGHT).withListPageSize(PAGE_SIZE);
        bed = new StorageTestBed(server, secretsDir, settings);
        InstanceId instance = bed.provisionNew("contract");
        client = clientOf(instance, PARTS);
        store = new S3ObjectStore(client, BucketLayout.bucketName(instance), settings, Clock.systemUTC());
    }

    private static S3Client clientOf(InstanceId instance, PartWatcher watcher) {
        var builder = S3Clients.builder(settings, bed.accessKey(instance), bed.secretKey(instance));
        builder.overrideConfiguration(builder.overrideConfiguration().toBuilder().addExecutionInterceptor(watcher).build());
        return builder.build();
    }

    @AfterAll
    static void deprovision() {
        if (client != null) {
            client.close();
        }
        if (bed != null) {
            bed.close();
        }
    }

    @AfterEach
    void resetWatcher() {
        PARTS.reset();
    }

    @Override
    protected ObjectStore store() {
        return store;
    }

    @Override
    protected void corruptBehindTheStoresBack(String key, byte[] replacement) {
        // The admin identity rewrites the bytes but keeps the recorded sha256, as rot or a rogue writer would.
        S3Client admin = bed.server.adminClient();
        HeadObjectResponse head = admin.headObject(b -> b.bucket(store.bucket()).key(key));
        admin.putObject(b -> b.bucket(store.bucket()).key(key).metadata(head.metadata()), RequestBody.fromBytes(replacement));
    }

    @Test
    void partsUploadInParallelButNeverMoreThanTheConfiguredNumber() {
        // A slow link: each part takes a while on the wire, so the writer would race ahead if it could.
        PARTS.delayMillis = 400;
        byte[] data = randomBytes(PART_SIZE * 7 + 123);
        StoredObject stored;
        try (MultipartUpload upload = store.openMultipart(prefix + "parallel", Map.of())) {
            upload.write(data);
            stored = upload.complete();
        }

        assertEquals(8, PARTS.parts.get(), "7 full parts and a short last one");
        assertEquals(MAX_IN_FLIGHT, PARTS.maxConcurrent.get(), "parts overlap, up to the limit and no further");
        assertEquals(Sha256.of(data), stored.requireSha256());
        assertArrayEquals(data, store.get(prefix + "parallel"));
    }

    @Test
    void aPartTheServerRejectsAbortsTheWholeUploadAndNothingIsStored() {
        // Part 2 reaches the server damaged (its Content-MD5 no longer matches): S3 answers BadDigest.
        PARTS.damagePart = 2;
        String key = prefix + "damaged";
        MultipartUpload upload = store.openMultipart(key, Map.of());

        StorageException e = assertThrows(StorageException.class, () -> {
            upload.write(randomBytes(PART_SIZE * 4));
            upload.complete();
        });

        assertTrue(e.getMessage().contains("part 2"), e.getMessage());
        assertTrue(e.getMessage().contains("BadDigest"), e.getMessage());
        assertFalse(e.isRetriable());
        assertEquals(Optional.empty(), store.head(key));
        assertEquals(List.of(), bed.server.adminClient()
                .listMultipartUploads(b -> b.bucket(store.bucket()).prefix(key)).uploads(), "the upload was aborted");
        assertThrows(IllegalStateException.class, () -> upload.write(new byte[1]));
    }

    @Test
    void anAbortWaitsForThePartsStillOnTheWireSoNoneLandsAfterIt() {
        // A bucket of its own: a part stored after the abort is an orphan no listing shows; only the
        // bucket's deletion notices it (BucketNotEmpty), as CI once did.
        InstanceId instance = bed.provisionNew("abort");
        PartWatcher watcher = new PartWatcher();
        watcher.damagePart = 1;
        // Parts 2 and 3 are slow and ignore interrupts, as bytes already handed to the network do.
        watcher.stubbornDelayMillis = 500;
        try (S3Client own = clientOf(instance, watcher)) {
            S3ObjectStore ownStore = new S3ObjectStore(own, BucketLayout.bucketName(instance), settings, Clock.systemUTC());
            MultipartUpload upload = ownStore.openMultipart("base/damaged", Map.of());

            upload.write(randomBytes(PART_SIZE * 3));
            // A write learns of part 1's failure while parts 2 and 3 are still being sent, and aborts.
            StorageException e = awaitFailure(upload);
            assertTrue(e.getMessage().contains("BadDigest"), e.getMessage());

            assertEquals(3, watcher.parts.get());
            assertEquals(0, watcher.concurrent.get(), "no part is still on the wire once the upload is aborted");
        }
        bed.provisioner.deprovision(instance);
        assertFalse(bed.server.adminClient().listBuckets().buckets().stream()
                .anyMatch(b -> b.name().equals(BucketLayout.bucketName(instance))), "the emptied bucket is gone");
    }

    /** Empty writes until one reports a failed part (an empty write sends nothing, it only checks). */
    private static StorageException awaitFailure(MultipartUpload upload) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) {
            try {
                upload.write(new byte[0]);
            } catch (StorageException e) {
                return e;
            }
            assertTrue(System.nanoTime() < deadline, "the damaged part should have been rejected");
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    /** Observes UploadPart requests on the wire; can slow them down or damage one. */
    private static final class PartWatcher implements ExecutionInterceptor {
        final AtomicInteger parts = new AtomicInteger();
        final AtomicInteger concurrent = new AtomicInteger();
        final AtomicInteger maxConcurrent = new AtomicInteger();
        volatile long delayMillis;
        volatile long stubbornDelayMillis;
        volatile int damagePart;

        void reset() {
            parts.set(0);
            concurrent.set(0);
            maxConcurrent.set(0);
            delayMillis = 0;
            stubbornDelayMillis = 0;
            damagePart = 0;
        }

        @Override
        public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
            if (context.request() instanceof UploadPartRequest) {
                parts.incrementAndGet();
                maxConcurrent.accumulateAndGet(concurrent.incrementAndGet(), Math::max);
            }
        }

        @Override
        public SdkHttpRequest modifyHttpRequest(Context.ModifyHttpRequest context, ExecutionAttributes attributes) {
            if (context.request() instanceof UploadPartRequest part && part.partNumber() == damagePart) {
                String wrongMd5 = Base64.getEncoder().encodeToString(new byte[16]);
                return context.httpRequest().toBuilder().putHeader("Content-MD5", wrongMd5).build();
            }
            return context.httpRequest();
        }

        @Override
        public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
            if (!(context.request() instanceof UploadPartRequest part)) {
                return;
            }
            if (delayMillis > 0) {
                try {
                    Thread.sleep(delayMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (stubbornDelayMillis > 0 && part.partNumber() != damagePart) {
                long until = System.nanoTime() + stubbornDelayMillis * 1_000_000;
                boolean interrupted = false;
                for (long left; (left = until - System.nanoTime()) > 0; ) {
                    try {
                        Thread.sleep(left / 1_000_000 + 1);
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        @Override
        public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
            if (context.request() instanceof UploadPartRequest) {
                concurrent.decrementAndGet();
            }
        }

        @Override
        public void onExecutionFailure(Context.FailedExecution context, ExecutionAttributes attributes) {
            if (context.request() instanceof UploadPartRequest) {
                concurrent.decrementAndGet();
            }
        }
    }
}
