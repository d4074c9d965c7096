package io.tideline.core.kafka;

import io.micronaut.core.bind.exceptions.UnsatisfiedArgumentException;
import org.apache.kafka.common.errors.SerializationException;

/** Why a consumer could not handle a record, which decides between retrying and dead-lettering. */
public enum FailureKind {
    /** The bytes are not a record we know (garbage, unknown schema): permanent, dead-letter at once. */
    UNDECODABLE,
    /**
     * The listener threw {@link InvalidRecordException}, or the record lacks what the listener's
     * parameters require (a null key for a {@code @KafkaKey String}): permanent, dead-letter at once.
     */
    INVALID,
    /** Anything else (storage down, database unreachable...): transient, retry before dead-lettering. */
    PROCESSING;

    /** Classifies by the exception and its causes. */
    public static FailureKind of(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            // Binding the record to the listener's parameters fails the same way every time: a
            // retry only holds the consumer (31 s per record with the services' backoff).
            if (t instanceof InvalidRecordException || t instanceof UnsatisfiedArgumentException) {
                return INVALID;
            }
            if (t instanceof SerializationException) {
                return UNDECODABLE;
            }
        }
        return PROCESSING;
    }

    public boolean isPermanent() {
        return this != PROCESSING;
    }
}
