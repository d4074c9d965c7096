package io.tideline.restore;

/** A restore cannot go on; the message is the reason {@code RestoreFailed} gives a person. */
final class RestoreFailure extends RuntimeException {

    RestoreFailure(String reason) {
        super(reason);
    }

    RestoreFailure(String reason, Throwable cause) {
        super(reason, cause);
    }
}
