package io.tideline.core.kafka;

/**
 * Told of every record {@link DeadLetterExceptionHandler} dead-lettered, by the topic it came from.
 * A seam so that the handler works where no meter registry exists (the CLI, core's own tests).
 */
public interface DeadLetterTally {

    /** A record of {@code sourceTopic} is now on {@link Topics#DEAD_LETTERS}. */
    void deadLettered(String sourceTopic);
}
