package io.tideline.agent;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tideline.core.ids.InstanceId;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class AgentCertificateRenewalTest {

    @Test
    void renewsPeriodicallyAndAFailedPassDoesNotStopIt() throws InterruptedException {
        CountDownLatch passes = new CountDownLatch(4);
        AgentCertificateRenewal renewal = new AgentCertificateRenewal(() -> {
            passes.countDown();
            if (passes.getCount() == 2) {
                throw new IllegalStateException("one instance's server did not answer");
            }
            return List.of(InstanceId.of("copy-1"));
        }, Duration.ofMillis(50));
        try {
            renewal.start();
            assertTrue(passes.await(20, TimeUnit.SECONDS), "four passes, one of them failed, in 20 s");
        } finally {
            renewal.stop();
        }
    }

    @Test
    void theFirstPassRunsAtStartNotAfterAnInterval() throws InterruptedException {
        CountDownLatch first = new CountDownLatch(1);
        AgentCertificateRenewal renewal = new AgentCertificateRenewal(() -> {
            first.countDown();
            return List.of();
        }, Duration.ofHours(1));
        try {
            renewal.start();
            assertTrue(first.await(20, TimeUnit.SECONDS), "a pass at start, not an hour later");
        } finally {
            renewal.stop();
        }
    }
}
