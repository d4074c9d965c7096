package io.tideline.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@code @RealServices} wires every fixture, and they share one test home. */
@RealServices
class RealServicesIT {

    @Test
    void injectsKafkaAndS3SharingOneHome(KafkaBroker kafka, S3Server s3) {
        assertTrue(kafka.isRunning());
        assertTrue(s3.isRunning());
        assertEquals(s3.process().dataDir().getParent().getParent(), kafka.process().directory().getParent(),
                "kafka/ and s3/ live in the same test home");
    }
}
