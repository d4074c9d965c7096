package io.tideline.restore.drill;

/** A check of a drill's copy found it wrong; the message says which check and what it found. */
final class DrillCheckFailed extends RuntimeException {

    DrillCheckFailed(String reason) {
        super(reason);
    }

    DrillCheckFailed(String reason, Throwable cause) {
        super(reason, cause);
    }
}
