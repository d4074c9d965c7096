package io.tideline.cli.audit;

import io.tideline.cli.events.Event;
import java.time.Instant;
import java.util.Comparator;
import java.util.Optional;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;

/**
 * One record of the event log with the moment it happened: the event's own {@code occurredAt} (UTC),
 * else the record's Kafka timestamp.
 */
public record AuditEvent(Instant at, Event record) {

    /** UTC order; ties keep the log's own order (topic, partition, offset). */
    public static final Comparator<AuditEvent> CHRONOLOGICAL = Comparator.comparing(AuditEvent::at)
            .thenComparing(e -> e.record().topic())
            .thenComparingInt(e -> e.record().partition())
            .thenComparingLong(e -> e.record().offset());

    public static AuditEvent of(Event record) {
        return new AuditEvent(record.value().flatMap(AuditEvent::occurredAt).orElse(record.timestamp()), record);
    }

    public Optional<SpecificRecord> value() {
        return record.value();
    }

    public String instance() {
        return record.key() == null ? "(no key)" : record.key();
    }

    public String type() {
        return record.value().map(v -> v.getSchema().getName())
                .orElse(record.decodeError().isPresent() ? "undecodable" : "tombstone");
    }

    private static Optional<Instant> occurredAt(SpecificRecord value) {
        Schema.Field field = value.getSchema().getField("occurredAt");
        if (field == null) {
            return Optional.empty();
        }
        Object v = value.get(field.pos());
        return v instanceof Instant i ? Optional.of(i) : Optional.empty();
    }
}
