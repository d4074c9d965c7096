package io.tideline.core.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micronaut.health.HealthStatus;
import io.micronaut.management.health.indicator.HealthResult;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import java.util.concurrent.atomic.AtomicReference;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

class ConsumerProgressHealthTest {

    private final ConsumerProgress progress = new ConsumerProgress(
            Optional.of(Clock.fixed(Instant.parse("2026-12-07T12:00:00Z"), ZoneOffset.UTC)));
    private final ConsumerProgressHealth health = new ConsumerProgressHealth(progress);

    {
        // what Micronaut injects: run the check on the caller's thread
        health.setExecutorService(new java.util.concurrent.AbstractExecutorService() {
            private boolean shut;

            @Override
            public void execute(Runnable command) {
                command.run();
            }

            @Override
            public void shutdown() {
                shut = true;
            }

            @Override
            public java.util.List<Runnable> shutdownNow() {
                shut = true;
                return java.util.List.of();
            }

            @Override
            public boolean isShutdown() {
                return shut;
            }

            @Override
            public boolean isTerminated() {
                return shut;
            }

            @Override
            public boolean awaitTermination(long timeout, java.util.concurrent.TimeUnit unit) {
                return true;
            }
        });
    }

    @Test
    void downWithTheReasonWhileAConsumerIsHeldOnARecord() {
        assertEquals(HealthStatus.UP, result().getStatus());

        progress.held("tideline-archiver-backups", Topics.BACKUP_COMMANDS, 2, 17, "cannot dead-letter: RecordTooLargeException");
        progress.held("tideline-archiver-backups", Topics.BACKUP_COMMANDS, 2, 17, "cannot dead-letter: RecordTooLargeException");

        HealthResult held = result();
        assertEquals(HealthStatus.DOWN, held.getStatus());
        @SuppressWarnings("unchecked")
        Map<String, String> details = (Map<String, String>) held.getDetails();
        String detail = details.get("tideline-archiver-backups tideline.backup-commands-2");
        assertTrue(detail.contains("offset 17") && detail.contains("RecordTooLargeException")
                && detail.contains("2026-12-07T12:00:00Z"), detail);

        progress.released("tideline-archiver-backups", Topics.BACKUP_COMMANDS, 2);
        assertEquals(HealthStatus.UP, result().getStatus());
    }

    private HealthResult result() {
        AtomicReference<HealthResult> result = new AtomicReference<>();
        health.getResult().subscribe(new Subscriber<>() {
            @Override
            public void onSubscribe(Subscription subscription) {
                subscription.request(1);
            }

            @Override
            public void onNext(HealthResult value) {
                result.set(value);
            }

            @Override
            public void onError(Throwable error) {
                throw new AssertionError(error);
            }

            @Override
            public void onComplete() {
            }
        });
        return result.get();
    }
}
