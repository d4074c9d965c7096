package io.tideline.cli.audit;

import io.tideline.cli.events.EventStream;
import io.tideline.cli.events.KafkaAccess;
import io.tideline.core.kafka.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The whole event log, replayed from the beginning of every Tideline topic, in UTC order. */
public final class AuditLog {

    static final Duration READ_TIMEOUT = Duration.ofMinutes(2);

    private AuditLog() {
    }

    public static List<AuditEvent> replay(KafkaAccess kafka) {
        List<AuditEvent> all = new ArrayList<>();
        for (String topic : Topics.ALL) {
            try (EventStream stream = kafka.fromBeginning(topic)) {
                stream.readToEndAtOpen(READ_TIMEOUT).forEach(e -> all.add(AuditEvent.of(e)));
            }
        }
        all.sort(AuditEvent.CHRONOLOGICAL);
        return all;
    }
}
