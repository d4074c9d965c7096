package io.tideline.core.kafka;

import io.micronaut.configuration.kafka.annotation.ErrorStrategy;
import io.micronaut.configuration.kafka.annotation.ErrorStrategyValue;
import io.micronaut.configuration.kafka.annotation.KafkaListener;
import io.micronaut.configuration.kafka.annotation.OffsetStrategy;
import io.micronaut.configuration.kafka.exceptions.DefaultKafkaListenerExceptionHandler;
import io.micronaut.configuration.kafka.exceptions.KafkaListenerException;
import io.micronaut.configuration.kafka.exceptions.KafkaListenerExceptionHandler;
import io.micronaut.context.BeanContext;
import io.micronaut.inject.qualifiers.Qualifiers;
import io.micronaut.context.annotation.Replaces;
import io.micronaut.core.annotation.AnnotationValue;
import io.tideline.schemas.DeadLetter;
import io.tideline.schemas.serde.EventCodec;
import jakarta.inject.Singleton;
import io.tideline.core.log.LogLimiter;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.errors.RetriableException;
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
 * If the dead-letter topic refuses the dead letter (too large: the record was near the size limit),
 * a truncated copy is published instead (see {@link FailedRecord#truncated}). If no dead letter can
 * be published (Kafka not answering), the consumer is sought back to the failed record, at most
 * {@link #DEAD_LETTER_TRIES} times, and {@link ConsumerProgress} reports it held meanwhile; then it is
 * given up with an error naming its coordinates. Repeated lines are rate-limited. A listener bean that implements
 * {@link KafkaListenerExceptionHandler} itself bypasses this handler: don't.
 */
@Singleton
@Replaces(DefaultKafkaListenerExceptionHandler.class)
public class DeadLetterExceptionHandler implements KafkaListenerExceptionHandler {

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterExceptionHandler.class);

    /**
     * Times a record that cannot be dead-lettered (Kafka refusing even its truncated copy, or not
     * answering) is consumed again before it is given up: bounded, so no record holds its partition
     * for good.
     */
    public static final int DEAD_LETTER_TRIES = 3;
    /** Lines of one kind about one topic and group let through per {@link #LOG_WINDOW}. */
    static final int LOG_LINES_PER_WINDOW = 10;
    static final Duration LOG_WINDOW = Duration.ofMinutes(1);

    private final EventPublisher publisher;
    private final EventCodec codec;
    private final BeanContext beanContext;
    private final ConsumerProgress progress;
    private final Clock clock;
    private final LogLimiter logLimiter;
    private final Map<String, Integer> failedTries = new ConcurrentHashMap<>();
    private final Optional<DeadLetterTally> tally;

    public DeadLetterExceptionHandler(EventPublisher publisher, EventCodec codec, BeanContext beanContext,
            ConsumerProgress progress, Optional<Clock> clock, Optional<DeadLetterTally> tally) {
        this.tally = tally;
        this.publisher = publisher;
        this.codec = codec;
        this.beanContext = beanContext;
        this.progress = progress;
        this.clock = clock.orElse(Clock.systemUTC());
        this.logLimiter = new LogLimiter(LOG_WINDOW, LOG_LINES_PER_WINDOW, this.clock);
    }

    @Override
    public void handle(KafkaListenerException exception) {
        Throwable cause = exception.getCause() != null ? exception.getCause() : exception;
        Optional<FailedRecord> failed = FailedRecord.of(cause, exception.getConsumerRecord().orElse(null), codec);
        if (failed.isEmpty()) {
            long left = logLimiter.admit("outside " + exception.getKafkaListener());
            if (left >= 0) {
                LOG.error("Kafka consumer [{}] failed outside of any record: {}{}", exception.getKafkaListener(), cause.getMessage(),
                        leftOut(left), cause);
            }
            return;
        }
        FailedRecord record = failed.get();
        Consumer<?, ?> consumer = exception.getKafkaConsumer();
        String group = groupId(consumer);
        ListenerShape shape = ListenerShape.of(exception.getKafkaListener(), beanContext);
        int attempts = record.kind().isPermanent() || !shape.retries() ? 1 : shape.retryCount() + 1;
        TopicPartition partition = new TopicPartition(record.topic(), record.partition());
        String where = record.topic() + "-" + record.partition() + "@" + record.offset();
        Optional<String> notPublished = publish(record, group, attempts, where);
        if (notPublished.isPresent()) {
            int tries = failedTries.merge(group + " " + where, 1, Integer::sum);
            if (tries < DEAD_LETTER_TRIES) {
                progress.held(group, record.topic(), record.partition(), record.offset(), "cannot dead-letter: " + notPublished.get());
                long left = logLimiter.admit("retry " + group + " " + where);
                if (left >= 0) {
                    LOG.error("cannot dead-letter {} ({}), try {} of {}; will consume it again: {}{}", where, record.error(), tries,
                            DEAD_LETTER_TRIES, notPublished.get(), leftOut(left));
                }
                consumer.seek(partition, record.offset());
                return;
            }
            // Holding the partition longer would stop every instance behind this record; the record
            // itself stays in its topic (audit retention), at the coordinates this line names.
            LOG.error("gave up dead-lettering {} (key {}, group {}) after {} tries: {}; it is skipped, and stays at that offset "
                    + "of {} until its retention ends. Its error: {}", where, record.key(), group, tries, notPublished.get(),
                    record.topic(), record.error());
        } else {
            tally.ifPresent(t -> t.deadLettered(record.topic()));
            long left = logLimiter.admit("dead-lettered " + group + " " + record.topic());
            if (left >= 0) {
                LOG.warn("dead-lettered {} (key {}, group {}, {} attempt(s)): {}: {}{}", where, record.key(), group, attempts,
                        record.errorClass(), record.error(), leftOut(left));
            }
        }
        failedTries.remove(group + " " + where);
        progress.released(group, record.topic(), record.partition());
        if (record.kind() == FailureKind.UNDECODABLE && shape.commits()) {
            // micronaut-kafka returns no records from the failed poll, so nothing else commits past this one
            consumer.commitSync(Map.of(partition, new OffsetAndMetadata(record.offset() + 1)));
        }
    }

    /**
     * Publishes the dead letter, or, when the dead-letter topic refuses it (too large, or any other
     * refusal that trying again cannot change), its truncated copy; empty when one was published,
     * otherwise why not.
     */
    private Optional<String> publish(FailedRecord record, String group, int attempts, String where) {
        EventPublisher publisher = publisherOf(group);
        try {
            publisher.publishAndWait(Topics.DEAD_LETTERS, record.key(), record.toDeadLetter(group, attempts, clock.instant()));
            return Optional.empty();
        } catch (RuntimeException e) {
            String refusal = reason(e);
            if (isTransient(e)) {
                return Optional.of(refusal);
            }
            try {
                publisher.publishAndWait(Topics.DEAD_LETTERS, record.key(),
                        record.truncated(refusal).toDeadLetter(group, attempts, clock.instant()));
                long left = logLimiter.admit("truncated " + group + " " + record.topic());
                if (left >= 0) {
                    LOG.warn("the dead letter of {} was refused ({}); dead-lettered a truncated copy{}", where, refusal, leftOut(left));
                }
                return Optional.empty();
            } catch (RuntimeException again) {
                return Optional.of(refusal + "; its truncated copy too: " + reason(again));
            }
        }
    }

    /** Kafka unreachable or slow: a smaller record would not fare better, the next try might. */
    private static boolean isTransient(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof RetriableException || t instanceof java.util.concurrent.TimeoutException) {
                return true;
            }
        }
        return false;
    }

    private static String reason(Throwable error) {
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + ": " + root.getMessage();
    }

    private static String leftOut(long left) {
        return left > 0 ? " (" + left + " similar line(s) left out)" : "";
    }

    /**
     * The publisher of the service that owns {@code group} (its principal writes the dead letter, also when
     * the four services share a context), else this context's default one.
     */
    private EventPublisher publisherOf(String group) {
        return KafkaPrincipals.ownerOfGroup(group)
                .flatMap(owner -> beanContext.findBean(EventPublisher.class, Qualifiers.byName(owner)))
                .orElse(publisher);
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
