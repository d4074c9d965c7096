package io.tideline.restore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.tideline.core.ids.RestoreId;
import io.tideline.schemas.RestoreAccepted;
import io.tideline.schemas.serde.EventCodec;
import io.tideline.testkit.KafkaBroker;
import io.tideline.testkit.KafkaExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/**
 * The restore service's read of the restore event log against a real broker (issue 17's soak found it
 * logging every undecodable record again at every sweep, every 15 s: a log growing with the square of the
 * bad records).
 */
@ExtendWith(KafkaExtension.class)
class KafkaRestoreEventLogIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final KafkaBroker broker;
    private final EventCodec codec = EventCodec.standard();
    private final String events = "it-restore-events-" + UUID.randomUUID();
    private final String requests = "it-restore-requests-" + UUID.randomUUID();
    private final ListAppender<ILoggingEvent> log = new ListAppender<>();
    private final Logger logger = (Logger) LoggerFactory.getLogger(KafkaRestoreEventLog.class);

    KafkaRestoreEventLogIT(KafkaBroker broker) {
        this.broker = broker;
    }

    @BeforeEach
    void topicsAndLog() {
        broker.createTopic(events);
        broker.createTopic(requests);
        log.start();
        logger.addAppender(log);
    }

    @AfterEach
    void detachLog() {
        logger.detachAppender(log);
    }

    @Test
    void anUndecodableRecordIsSkippedAndLoggedOnceNotAtEveryRead() throws Exception {
        send("pg-1", "not avro at all".getBytes(StandardCharsets.UTF_8));
        send("pg-1", codec.encode(accepted("r-1")));
        send("pg-1", new byte[] {(byte) 0xC3, 0x01, 1, 2, 3});
        KafkaRestoreEventLog eventLog = new KafkaRestoreEventLog(broker.bootstrapServers(), codec, events, requests);

        RestoreLedger ledger = new RestoreLedger();
        for (int read = 0; read < 3; read++) {
            assertEquals(1, eventLog.replayInto(ledger, TIMEOUT), "partitions of the requests topic");
        }
        assertTrue(ledger.find(RestoreId.of("r-1")).isPresent(), "the good event around the bad ones is read");
        assertEquals(List.of(events + "-0@0", events + "-0@2"), warnedOffsets(), "each bad record is logged once, not at every read");

        send("pg-1", "another bad one".getBytes(StandardCharsets.UTF_8));
        eventLog.replayInto(ledger, TIMEOUT);
        eventLog.replayInto(ledger, TIMEOUT);
        assertEquals(List.of(events + "-0@0", events + "-0@2", events + "-0@3"), warnedOffsets(), "a new bad record is logged");
    }

    private List<String> warnedOffsets() {
        return log.list.stream().filter(e -> e.getLevel() == Level.WARN)
                .map(e -> e.getArgumentArray()[0] + "-" + e.getArgumentArray()[1] + "@" + e.getArgumentArray()[2]).toList();
    }

    private RestoreAccepted accepted(String restoreId) {
        return RestoreAccepted.newBuilder().setEventId(UUID.randomUUID()).setInstanceId("pg-1").setOccurredAt(Instant.now())
                .setRestoreId(restoreId).setNewInstanceId("pg-2").setBackupId("20261105T020000Z")
                .setTarget("latest").build();
    }

    private void send(String key, byte[] value) throws Exception {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(broker.clientProperties(), new StringSerializer(),
                new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(events, key, value)).get();
        }
    }
}
