package io.tideline.cli;

import io.tideline.runtime.DurationText;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.http.HttpTimeoutException;
import java.sql.SQLException;
import java.time.Duration;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;

/**
 * The one place a part of the deployment that does not answer becomes the command's error: one line
 * naming the part and its address ({@code the object store at http://127.0.0.1:9000 did not answer
 * within 10.0 s}) and {@link ExitCodes#NOT_RUNNING}, the status of a deployment that is not there.
 * Every wait of a client command is bounded by the deployment's answer timeout
 * ({@link Deployment#answerTimeout()}); this is what the command says when one runs out.
 */
public final class NoAnswer {

    /** How long a client command waits for one answer of Kafka, the object store, the API or PostgreSQL. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    /** Environment variable overriding {@link #DEFAULT_TIMEOUT} (the {@code --answer-timeout} option wins). */
    public static final String TIMEOUT_ENV = "TIDELINE_ANSWER_TIMEOUT";

    public static final String KAFKA = "Kafka";
    public static final String OBJECT_STORE = "the object store";
    public static final String API = "the services' API";
    public static final String POSTGRES = "PostgreSQL";

    private NoAnswer() {
    }

    /** {@code <part> at <address> did not answer within <timeout>}, exit {@link ExitCodes#NOT_RUNNING}. */
    public static CliException of(String part, Object address, Duration timeout, Throwable cause) {
        return new CliException(ExitCodes.NOT_RUNNING,
                part + " at " + address + " did not answer within " + DurationText.format(timeout), cause);
    }

    /**
     * True when {@code failure} (or a cause of it) says the other side did not answer in time or could
     * not be connected to at all, as opposed to answering with an error.
     */
    public static boolean isNoAnswer(Throwable failure) {
        for (Throwable c = failure; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof SocketTimeoutException || c instanceof ConnectException || c instanceof HttpTimeoutException
                    || c instanceof ApiCallTimeoutException || c instanceof ApiCallAttemptTimeoutException
                    || c instanceof org.apache.kafka.common.errors.TimeoutException
                    || c instanceof java.util.concurrent.TimeoutException
                    || (c instanceof SQLException s && s.getSQLState() != null && s.getSQLState().startsWith("08"))) {
                return true;
            }
        }
        return false;
    }
}
