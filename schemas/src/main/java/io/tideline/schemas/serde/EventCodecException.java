package io.tideline.schemas.serde;

/** Bytes that are not a Tideline event, or a record that cannot be encoded as one. */
public class EventCodecException extends RuntimeException {

    public EventCodecException(String message) {
        super(message);
    }

    public EventCodecException(String message, Throwable cause) {
        super(message, cause);
    }
}
