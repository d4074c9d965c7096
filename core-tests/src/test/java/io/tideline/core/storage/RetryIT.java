package io.tideline.core.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tideline.core.ids.InstanceId;
import io.tideline.testkit.S3Extension;
import io.tideline.testkit.S3Server;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

/**
 * With the S3 server down, a put is retried with backoff, then fails with a clear, retriable error
 * and nothing is reported stored; with the server back, the same put succeeds.
 */
@ExtendWith(S3Extension.class)
class RetryIT {

    private static final int ATTEMPTS = 3;

    @Test
    void aPutFailsCleanlyWhileTheStoreIsDownAndSucceedsOnceItIsBack(S3Server server, @TempDir Path secretsDir) {
        try (StorageTestBed bed = new StorageTestBed(server, secretsDir,
                StorageTestBed.settingsFor(server).withMaxAttempts(ATTEMPTS))) {
            InstanceId instance = bed.provisionNew("retry");
            AtomicInteger putAttempts = new AtomicInteger();
            var builder = S3Clients.builder(bed.settings, bed.accessKey(instance), bed.secretKey(instance));
            builder.overrideConfiguration(builder.overrideConfiguration().toBuilder()
                    .addExecutionInterceptor(new ExecutionInterceptor() {
                        @Override
                        public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
                            if (context.request() instanceof PutObjectRequest) {
                                putAttempts.incrementAndGet();
                            }
                        }
                    }).build());
            try (S3Client client = builder.build()) {
                S3ObjectStore store = new S3ObjectStore(client, BucketLayout.bucketName(instance), bed.settings, Clock.systemUTC());
                String key = "wal/00000001/000000010000000000000001.zst";
                byte[] segment = "segment bytes".getBytes(StandardCharsets.UTF_8);

                server.stop();
                long started = System.nanoTime();
                StorageUnavailableException down = assertThrows(StorageUnavailableException.class,
                        () -> store.putIfAbsentOrSame(key, segment, Map.of()));
                Duration took = Duration.ofNanos(System.nanoTime() - started);

                assertTrue(down.isRetriable());
                assertTrue(down.getMessage().contains(store.bucket() + "/" + key), down.getMessage());
                assertTrue(down.getMessage().startsWith("object store unavailable"), down.getMessage());
                assertTrue(took.compareTo(Duration.ofSeconds(30)) < 0, "gave up in bounded time: " + took);

                // A PUT alone, retried by the SDK the configured number of times.
                putAttempts.set(0);
                assertThrows(StorageUnavailableException.class, () -> store.put(key, segment, Map.of()));
                assertEquals(ATTEMPTS, putAttempts.get(), "attempts of one put while the store is down");

                server.start();
                assertEquals(Optional.empty(), store.head(key), "nothing was stored while the store was down");
                StoredObject stored = store.putIfAbsentOrSame(key, segment, Map.of());
                assertEquals(Sha256.of(segment), stored.requireSha256());
                assertArrayEquals(segment, store.getVerified(key));
            }
        }
    }
}
