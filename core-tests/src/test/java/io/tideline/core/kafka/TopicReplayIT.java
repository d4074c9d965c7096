package io.tideline.core.kafka;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tideline.schemas.BackupCommand;
import io.tideline.schemas.BackupReason;
import io.tideline.schemas.serde.EventCodec;
import io.tideline.testkit.KafkaBroker;
import io.tideline.testkit.KafkaExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@link TopicReplay} against the testkit's Kafka: what the three topic-replay read models rely on. */
@ExtendWith(KafkaExtension.class)
class TopicReplayIT {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private final KafkaBroker broker;
    private final EventCodec codec = EventCodec.standard();
    private EventPublisher publisher;
    private String topic;
    private String name;

    TopicReplayIT(KafkaBroker broker) {
        this.broker = broker;
    }

    @BeforeEach
    void newTopic() {
        topic = "it-replay-" + UUID.randomUUID();
        name = "it-replay-" + UUID.randomUUID().toString().substring(0, 8);
        broker.createTopic(topic, 3, Map.of());
        publisher = new EventPublisher(broker.bootstrapServers(), codec);
    }

    @AfterEach
    void closePublisher() {
        publisher.close();
    }

    @Test
    void replaysWhatIsOnTheTopicsThenWhatIsPublishedNext() throws Exception {
        // the second topic is empty: a replay of several topics is caught up when each of them is
        String other = topic + "-other";
        broker.createTopic(other, 2, Map.of());
        List<BackupCommand> before = List.of(command("a-1"), command("b-1"), command("c-1"), command("a-2"));
        for (BackupCommand c : before) {
            publisher.publishAndWait(topic, c.getInstanceId(), c);
        }
        publisher.tombstoneAndWait(topic, "gone");

        List<TopicReplay.Replayed> seen = new CopyOnWriteArrayList<>();
        try (TopicReplay replay = new TopicReplay(broker.bootstrapServers(), List.of(topic, other), name, codec, seen::add).start()) {
            assertTrue(replay.awaitReplayed(WAIT), "the records there at the start are read");
            assertTrue(replay.isReplayed());
            assertEquals(Set.copyOf(before), values(seen), "every record there at the start, decoded");
            TopicReplay.Replayed tombstone = seen.stream().filter(r -> "gone".equals(r.key())).findFirst().orElseThrow();
            assertTrue(tombstone.isTombstone(), "a tombstone is handed over as such");
            // each partition's records in offset order
            Map<Integer, List<Long>> offsets = seen.stream().collect(Collectors.groupingBy(TopicReplay.Replayed::partition,
                    Collectors.mapping(TopicReplay.Replayed::offset, Collectors.toList())));
            offsets.values().forEach(list -> assertEquals(list.stream().sorted().toList(), list));

            BackupCommand live = command("d-1");
            publisher.publishAndWait(topic, live.getInstanceId(), live);
            BackupCommand onOther = command("e-1");
            publisher.publishAndWait(other, onOther.getInstanceId(), onOther);
            TopicReplay.CatchUp caughtUp = replay.awaitCaughtUp(WAIT);

            // no waiting here: caught up as of the call means handled before the call returned
            assertTrue(caughtUp.isDone(), caughtUp.toString());
            assertTrue(values(seen).containsAll(List.of(live, onOther)), "records published after the start are read too");
            assertEquals(before.size() + 1 + 2, seen.size(), "each record once");
        }
    }

    @Test
    void caughtUpWaitsUntilTheHandlerHasHandledWhatWasPublishedBeforeTheCall() throws Exception {
        String instance = "slow-1";
        CountDownLatch release = new CountDownLatch(1);
        List<TopicReplay.Replayed> seen = new CopyOnWriteArrayList<>();
        try (TopicReplay replay = new TopicReplay(broker.bootstrapServers(), List.of(topic), name, codec, record -> {
            awaitQuietly(release);
            seen.add(record);
        }).start()) {
            assertTrue(replay.awaitReplayed(WAIT), "an empty topic is replayed at once");
            publisher.publishAndWait(topic, instance, command(instance));
            publisher.publishAndWait(topic, instance, command(instance));

            TopicReplay.CatchUp behind = replay.awaitCaughtUp(Duration.ofSeconds(1));

            assertFalse(behind.isDone(), "the handler has not finished the records published before the call");
            assertTrue(behind.behind().orElseThrow().contains(topic), behind.toString());
            assertTrue(seen.isEmpty());

            release.countDown();
            TopicReplay.CatchUp done = replay.awaitCaughtUp(WAIT);
            assertTrue(done.isDone(), done.toString());
            assertEquals(2, seen.size());
        }
    }

    @Test
    void aRecordThatCannotBeDecodedOrHandledIsSkippedAndTheReplayGoesOn() throws Exception {
        BackupCommand first = command("ok-1");
        BackupCommand refused = command("refused-1");
        BackupCommand after = command("ok-2");
        publisher.publishAndWait(topic, "ok-1", first);
        try (KafkaProducer<String, byte[]> raw = new KafkaProducer<>(broker.clientProperties(), new StringSerializer(),
                new ByteArraySerializer())) {
            // same key as the good ones: the same partition, so the later record is read after the bad one
            raw.send(new ProducerRecord<>(topic, "ok-1", "not an event".getBytes(StandardCharsets.UTF_8))).get(30, TimeUnit.SECONDS);
        }
        publisher.publishAndWait(topic, "ok-1", refused);
        publisher.publishAndWait(topic, "ok-1", after);

        List<SpecificRecord> handled = new CopyOnWriteArrayList<>();
        try (TopicReplay replay = new TopicReplay(broker.bootstrapServers(), List.of(topic), name, codec, record -> {
            SpecificRecord value = record.value().orElseThrow();
            if (value.equals(refused)) {
                throw new IllegalArgumentException("the read model refuses this one");
            }
            handled.add(value);
        }).start()) {
            assertTrue(replay.awaitReplayed(WAIT));
            assertEquals(List.of(first, after), handled, "the undecodable and the refused record are skipped, nothing else");

            BackupCommand live = command("ok-3");
            publisher.publishAndWait(topic, "ok-1", live);
            assertTrue(replay.awaitCaughtUp(WAIT).isDone(), "the replay still runs");
            assertEquals(List.of(first, after, live), handled);
        }
    }

    @Test
    void closeStopsThePollingThreadPromptlyAndTwiceIsHarmless() throws Exception {
        TopicReplay replay = new TopicReplay(broker.bootstrapServers(), List.of(topic), name, codec, record -> { }).start();
        assertTrue(replay.awaitReplayed(WAIT));
        assertTrue(thread(name).isPresent(), "the replay polls on its own thread");

        long started = System.nanoTime();
        replay.close();
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        // bounded by its own join (5 s) and consumer close (2 s); the thread's end is the proof (a wall clock under load is not)
        assertTrue(took.compareTo(Duration.ofSeconds(10)) < 0, "close took " + took);
        assertTrue(thread(name).isEmpty(), "the thread has ended");
        replay.close();
        TopicReplay.CatchUp after = replay.awaitCaughtUp(WAIT);
        assertFalse(after.isDone());
        assertTrue(after.behind().orElseThrow().contains("closed"), after.toString());
    }

    @Test
    void closeWhileWaitingForATopicThatDoesNotExistYet() throws Exception {
        String missing = "it-replay-missing-" + UUID.randomUUID();
        TopicReplay replay = new TopicReplay(broker.bootstrapServers(), List.of(missing), name, codec, record -> { }).start();
        TopicReplay.CatchUp notYet = replay.awaitCaughtUp(Duration.ofSeconds(1));
        assertFalse(notYet.isDone());
        assertTrue(notYet.behind().orElseThrow().contains("could not be read"), notYet.toString());

        long started = System.nanoTime();
        replay.close();
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        // close is bounded by its own join (5 s) and consumer close (2 s): longer means it waited on something else.
        // The thread's end is what proves the wait for the missing topic was interrupted (under load, give it time).
        assertTrue(took.compareTo(Duration.ofSeconds(10)) < 0, "close took " + took);
        await().atMost(Duration.ofSeconds(15)).until(() -> thread(name).isEmpty());
        assertFalse(replay.awaitReplayed(Duration.ofSeconds(1)), "a closed replay never says it replayed");
    }

    private static Optional<Thread> thread(String name) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals(name) && t.isAlive()).findFirst();
    }

    private static Set<SpecificRecord> values(List<TopicReplay.Replayed> records) {
        return records.stream().flatMap(r -> r.value().stream()).collect(Collectors.toSet());
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static BackupCommand command(String instance) {
        Instant now = Instant.now();
        return BackupCommand.newBuilder().setEventId(UUID.randomUUID()).setInstanceId(instance).setOccurredAt(now)
                .setCommandId("on-demand:" + instance + ":" + UUID.randomUUID()).setReason(BackupReason.ON_DEMAND)
                .setRequestedBy("it").setRequestedAt(now).build();
    }
}
