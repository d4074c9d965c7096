package io.tideline.restore;

/** A restore cannot go on; the message is the reason {@code RestoreFailed} gives a person. */
public final class RestoreFailure extends RuntimeException {

    public RestoreFailure(String reason) {
        super(reason);
    }

    public RestoreFailure(String reason, Throwable cause) {
        super(reason, cause);
    }
}
