package io.tideline.cli.events;

import java.time.Instant;
import java.util.Optional;
import org.apache.avro.specific.SpecificRecord;

/**
 * One record read from a Tideline topic.
 *
 * @param value       the decoded event; empty for a tombstone or an undecodable record
 * @param decodeError why the value could not be decoded, when it could not
 */
public record Event(String topic, int partition, long offset, String key, Instant timestamp,
                    Optional<SpecificRecord> value, Optional<String> decodeError) {

    public String position() {
        return topic + "-" + partition + "@" + offset;
    }
}
