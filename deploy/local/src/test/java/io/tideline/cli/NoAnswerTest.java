package io.tideline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tideline.core.storage.StorageUnavailableException;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;

/** Issue 17, finding 6: what counts as "did not answer", and how the command says it. */
class NoAnswerTest {

    @Test
    void namesThePartItsAddressAndTheDeadlineWithTheStatusOfADeploymentThatIsNotThere() {
        CliException e = NoAnswer.of(NoAnswer.OBJECT_STORE, URI.create("http://127.0.0.1:9000"), Duration.ofSeconds(10), null);
        assertEquals("the object store at http://127.0.0.1:9000 did not answer within 10.0 s", e.getMessage());
        assertEquals(ExitCodes.NOT_RUNNING, e.exitCode());
    }

    @Test
    void timeoutsAnywhereInTheChainAreNoAnswerAndErrorAnswersAreNot() {
        assertTrue(NoAnswer.isNoAnswer(new StorageUnavailableException("list", "b", "k",
                ApiCallTimeoutException.create(3000))));
        assertTrue(NoAnswer.isNoAnswer(new RuntimeException(new SocketTimeoutException("Read timed out"))));
        assertTrue(NoAnswer.isNoAnswer(new org.apache.kafka.common.errors.TimeoutException("metadata")));
        assertFalse(NoAnswer.isNoAnswer(new StorageUnavailableException("list", "b", "k", new IOException("HTTP 503"))));
        assertFalse(NoAnswer.isNoAnswer(new IllegalStateException("no such bucket")));
    }
}
