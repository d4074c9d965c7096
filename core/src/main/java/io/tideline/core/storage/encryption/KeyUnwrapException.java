package io.tideline.core.storage.encryption;

/** A wrapped data key did not open under the named KEK and context: the header was altered or the object moved. */
public final class KeyUnwrapException extends RuntimeException {

    public KeyUnwrapException(String message, Throwable cause) {
        super(message, cause);
    }
}
