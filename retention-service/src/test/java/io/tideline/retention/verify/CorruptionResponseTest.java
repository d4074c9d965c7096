package io.tideline.retention.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tideline.core.ids.InstanceId;
import io.tideline.core.kafka.EventPublisher;
import io.tideline.core.kafka.Topics;
import io.tideline.core.registry.RegisteredInstance;
import io.tideline.core.secrets.SecretRef;
import io.tideline.core.storage.BucketLayout;
import io.tideline.core.wal.WalSegmentName;
import io.tideline.schemas.BackupCommand;
import io.tideline.schemas.BackupReason;
import io.tideline.schemas.ObjectCorrupted;
import io.tideline.core.ids.BackupId;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** Issue 15: damaged WAL that ends the window early asks for one backup; other damage asks for none. */
class CorruptionResponseTest {

    private static final Instant NOW = Instant.parse("2026-12-07T12:00:00Z");
    private static final InstanceId SHOP = InstanceId.of("shop");
    private static final WalSegmentName SEGMENT = new WalSegmentName(1, 9, WalSegmentName.DEFAULT_SEGMENT_SIZE);

    private final MockProducer<String, SpecificRecord> producer =
            new MockProducer<>(true, null, new StringSerializer(), (Serializer<SpecificRecord>) (topic, data) -> new byte[0]);
    private final CorruptionResponse response = new CorruptionResponse(id -> Optional.of(instance(id)),
            new EventPublisher(producer), Clock.fixed(NOW, ZoneOffset.UTC));

    private static RegisteredInstance instance(InstanceId id) {
        return new RegisteredInstance(id, id.value(), "127.0.0.1", 5432, "postgres", "postgres", SecretRef.of("instances/shop/admin"),
                "tideline_replicator", SecretRef.of("instances/shop/replicator"), "tideline-shop",
                SecretRef.of("instances/shop/s3-access-key"), SecretRef.of("instances/shop/s3-secret-key"), 15,
                WalSegmentName.DEFAULT_SEGMENT_SIZE, Optional.empty(), Optional.empty(), Optional.empty(), NOW);
    }

    private static ObjectCorrupted damaged(String key, boolean cutsWindowEnd) {
        return ObjectCorrupted.newBuilder().setEventId(UUID.randomUUID()).setInstanceId("shop").setOccurredAt(NOW)
                .setKey(key).setObjectSize(100).setObjectLastModified(NOW).setReason("bytes differ")
                .setCutsWindowEnd(cutsWindowEnd).setFoundBy("verify").build();
    }

    @Test
    void damagedWalThatEndsTheWindowEarlyAsksForOneBackupNamedByTheSegment() {
        String key = BucketLayout.DEFAULT.walSegment(SEGMENT);
        BackupCommand first = response.on(damaged(key, true)).orElseThrow();
        BackupCommand again = response.on(damaged(key, true)).orElseThrow();
        assertEquals("corrupt:shop:1:" + SEGMENT.startLsn(), first.getCommandId());
        assertEquals(BackupReason.AFTER_CORRUPTION, first.getReason());
        assertEquals(first.getCommandId(), again.getCommandId(), "found twice: the same backup");
        assertEquals(first.getEventId(), again.getEventId());
        assertEquals(2, producer.history().size());
        assertEquals(Topics.BACKUP_COMMANDS, producer.history().get(0).topic());
        assertEquals("shop", producer.history().get(0).key());
    }

    @Test
    void damageThatLeavesTheWindowsEndOrIsNoWalAsksForNothing() {
        assertTrue(response.on(damaged(BucketLayout.DEFAULT.walSegment(SEGMENT), false)).isEmpty());
        assertTrue(response.on(damaged(BucketLayout.DEFAULT.backupPart(BackupId.of(NOW, "abcd"), 1), true)).isEmpty());
        assertTrue(producer.history().isEmpty());
    }
}
