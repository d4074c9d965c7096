package io.tideline.core.kafka;

import io.micronaut.configuration.kafka.annotation.ErrorStrategy;
import io.micronaut.configuration.kafka.annotation.ErrorStrategyValue;
import io.micronaut.configuration.kafka.annotation.KafkaListener;
import io.micronaut.configuration.kafka.annotation.OffsetStrategy;
import io.micronaut.configuration.kafka.exceptions.DefaultKafkaListenerExceptionHandler;
import io.micronaut.configuration.kafka.exceptions.KafkaListenerException;
import io.micronaut.configuration.kafka.exceptions.KafkaListenerExceptionHandler;
import io.micronaut.context.BeanContext;
import io.micronaut.context.annotation.Replaces;
import io.micronaut.core.annotation.AnnotationValue;
import io.tideline.schemas.DeadLetter;
import io.tideline.schemas.serde.EventCodec;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The exception handler of every {@code @KafkaListener} of a service (it replaces micronaut-kafka's
 * default one, which only logs): a record the listener gave up on is published to
 * {@link Topics#DEAD_LETTERS} as a {@link DeadLetter} with its topic, partition, offset, key, value
 * and the error, and the consumer goes on with the next record.
 *
 * <p>It is called by micronaut-kafka:
 * <ul>
 * <li>for bytes that do not deserialize: micronaut-kafka has already sought past the record;
 *     after dead-lettering, this handler also commits past it so a restart does not dead-letter it again;</li>
 * <li>for a listener exception, once the listener's error strategy gave up (at once for
 *     {@link InvalidRecordException} under {@link PermanentFailureRetryPolicy}, after the bounded
 *     retries for anything else); micronaut-kafka then goes on with the next record.</li>
 * </ul>
 * If the dead letter itself cannot be published, the consumer is sought back to the failed record:
 * it is tried again later rather than lost. A listener bean that implements
 * {@link KafkaListenerExceptionHandler} itself bypasses this handler: don't.
 */
@Singleton
@Replaces(DefaultKafkaListenerExceptionHandler.class)
public class DeadLetterExceptionHandler implements KafkaListenerExceptionHandler {

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterExceptionHandler.class);

    private final EventPublisher publisher;
    private final EventCodec codec;
    private final BeanContext beanContext;
    private final Clock clock;

    public DeadLetterExceptionHandler(EventPublisher publisher, EventCodec codec, BeanContext beanContext, Optional<Clock> clock) {
        this.publisher = publisher;
        this.codec = codec;
        this.beanContext = beanContext;
        this.clock = clock.orElse(Clock.systemUTC());
    }

    @Override
    public void handle(KafkaListenerException exception) {
        Throwable cause = exception.getCause() != null ? exception.getCause() : exception;
        Optional<FailedRecord> failed = FailedRecord.of(cause, exception.getConsumerRecord().orElse(null), codec);
        if (failed.isEmpty()) {
            LOG.error("Kafka consumer [{}] failed outside of any record: {}", exception.getKafkaListener(), cause.getMessage(), cause);
            return;
        }
        FailedRecord record = failed.get();
        Consumer<?, ?> consumer = exception.getKafkaConsumer();
        ListenerShape shape = ListenerShape.of(exception.getKafkaListener(), beanContext);
        int attempts = record.kind().isPermanent() || !shape.retries() ? 1 : shape.retryCount() + 1;
        DeadLetter letter = record.toDeadLetter(groupId(consumer), attempts, clock.instant());
        TopicPartition partition = new TopicPartition(record.topic(), record.partition());
        try {
            publisher.publishAndWait(Topics.DEAD_LETTERS, record.key(), letter);
        } catch (RuntimeException e) {
            LOG.error("cannot dead-letter {}-{}@{} ({}); will consume it again: {}", record.topic(), record.partition(),
                    record.offset(), record.error(), e.getMessage(), e);
            consumer.seek(partition, record.offset());
            return;
        }
        LOG.warn("dead-lettered {}-{}@{} (key {}, group {}, {} attempt(s)): {}: {}", record.topic(), record.partition(),
                record.offset(), record.key(), letter.getConsumerGroup(), attempts, record.errorClass(), record.error());
        if (record.kind() == FailureKind.UNDECODABLE && shape.commits()) {
            // micronaut-kafka returns no records from the failed poll, so nothing else commits past this one
            consumer.commitSync(Map.of(partition, new OffsetAndMetadata(record.offset() + 1)));
        }
    }

    private static String groupId(Consumer<?, ?> consumer) {
        try {
            return consumer.groupMetadata().groupId();
        } catch (RuntimeException e) {
            return "";
        }
    }

    /** What the failing listener's {@code @KafkaListener} says about retries and commits. */
    record ListenerShape(boolean retries, int retryCount, boolean commits) {

        static ListenerShape of(Object listener, BeanContext beanContext) {
            Optional<AnnotationValue<KafkaListener>> annotation = listener == null ? Optional.empty()
                    : beanContext.findBeanDefinition(listener.getClass())
                            .flatMap(definition -> definition.findAnnotation(KafkaListener.class));
            Optional<AnnotationValue<ErrorStrategy>> strategy = annotation.flatMap(a -> a.getAnnotation("errorStrategy", ErrorStrategy.class));
            boolean retries = strategy.flatMap(s -> s.enumValue(ErrorStrategyValue.class)).map(ErrorStrategyValue::isRetry).orElse(false);
            int retryCount = strategy.flatMap(s -> s.stringValue("retryCountValue"))
                    .flatMap(ListenerShape::parseInt)
                    .or(() -> strategy.flatMap(s -> s.intValue("retryCount").isPresent()
                            ? Optional.of(s.intValue("retryCount").getAsInt()) : Optional.empty()))
                    .orElse(ErrorStrategy.DEFAULT_RETRY_COUNT);
            boolean commits = annotation.flatMap(a -> a.enumValue("offsetStrategy", OffsetStrategy.class))
                    .map(s -> s != OffsetStrategy.DISABLED).orElse(true);
            return new ListenerShape(retries, retryCount, commits);
        }

        private static Optional<Integer> parseInt(String text) {
            try {
                return Optional.of(Integer.parseInt(text.trim()));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }
    }
}
