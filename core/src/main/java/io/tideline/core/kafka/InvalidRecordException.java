package io.tideline.core.kafka;

/**
 * Thrown by a {@code @KafkaListener} for a record that decodes but can never be processed (a
 * violated invariant, an impossible value): retrying cannot help, so the
 * {@link DeadLetterExceptionHandler} sends it to {@link Topics#DEAD_LETTERS} at once with
 * {@link #reason()} and the consumer goes on. Do NOT throw it for transient trouble (storage or
 * database down): those must be retried.
 */
public class InvalidRecordException extends RuntimeException {

    public InvalidRecordException(String reason) {
        super(reason);
    }

    public InvalidRecordException(String reason, Throwable cause) {
        super(reason, cause);
    }

    public String reason() {
        return getMessage();
    }
}
