package io.tideline.core.kafka;

import io.micronaut.configuration.kafka.annotation.ErrorStrategy;
import io.micronaut.configuration.kafka.annotation.ErrorStrategyValue;
import io.micronaut.configuration.kafka.annotation.KafkaKey;
import io.micronaut.configuration.kafka.annotation.KafkaListener;
import io.micronaut.configuration.kafka.annotation.OffsetReset;
import io.micronaut.configuration.kafka.annotation.OffsetStrategy;
import io.micronaut.configuration.kafka.annotation.Topic;
import io.micronaut.context.annotation.Requires;
import io.tideline.schemas.BackupCommand;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.specific.SpecificRecord;

/**
 * A listener of the recommended shape (docs/modules/core.md), with a short retry so the test is
 * quick. What it does with a command depends on {@code requestedBy}: "invalid" is rejected,
 * "flaky" fails twice then succeeds, "broken" always fails (a transient error that never heals).
 */
@Requires(property = "spec.name", value = "DeadLetterIT")
@KafkaListener(groupId = "${spec.group}", offsetReset = OffsetReset.EARLIEST, offsetStrategy = OffsetStrategy.SYNC,
        errorStrategy = @ErrorStrategy(value = ErrorStrategyValue.RETRY_CONDITIONALLY_EXPONENTIALLY_ON_ERROR,
                retryCount = DeadLetterTestListener.RETRY_COUNT, retryDelay = "100ms"))
public class DeadLetterTestListener {

    static final int RETRY_COUNT = 2;

    private final List<SpecificRecord> handled = new CopyOnWriteArrayList<>();
    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();

    @Topic("${spec.topic}")
    void receive(@KafkaKey String instanceId, SpecificRecord event) {
        if (!(event instanceof BackupCommand command)) {
            throw new InvalidRecordException("expected a BackupCommand, got " + event.getSchema().getName());
        }
        int call = calls.computeIfAbsent(command.getCommandId(), id -> new AtomicInteger()).incrementAndGet();
        switch (command.getRequestedBy()) {
            case "invalid" -> throw new InvalidRecordException("command " + command.getCommandId() + " names no instance");
            case "broken" -> throw new IllegalStateException("object store unreachable (call " + call + ")");
            case "flaky" -> {
                if (call <= 2) {
                    throw new IllegalStateException("object store unreachable (call " + call + ")");
                }
            }
            default -> {
            }
        }
        handled.add(event);
    }

    List<SpecificRecord> handled() {
        return handled;
    }

    int calls(String commandId) {
        AtomicInteger count = calls.get(commandId);
        return count == null ? 0 : count.get();
    }
}
