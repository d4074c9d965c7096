package io.tideline.core.kafka;

import io.micronaut.configuration.kafka.exceptions.KafkaListenerException;
import io.micronaut.configuration.kafka.retry.ConditionalRetryBehaviourHandler;
import io.micronaut.configuration.kafka.retry.DefaultConditionalRetryBehaviourHandler;
import io.micronaut.context.annotation.Replaces;
import jakarta.inject.Singleton;

/**
 * For listeners with a {@code RETRY_CONDITIONALLY_*} error strategy: retrying cannot fix bytes that
 * do not decode nor a record the listener called invalid, so those skip the retries and go straight
 * to the {@link DeadLetterExceptionHandler}; every other failure is retried.
 */
@Singleton
@Replaces(DefaultConditionalRetryBehaviourHandler.class)
public class PermanentFailureRetryPolicy implements ConditionalRetryBehaviourHandler {

    @Override
    public ConditionalRetryBehaviour conditionalRetryBehaviour(KafkaListenerException exception) {
        return FailureKind.of(exception.getCause()).isPermanent() ? ConditionalRetryBehaviour.SKIP : ConditionalRetryBehaviour.RETRY;
    }
}
